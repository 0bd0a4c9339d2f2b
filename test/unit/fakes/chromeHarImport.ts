// The checks Chrome DevTools' HAR importer applies before it loads a file, written from
// ChromeDevTools/devtools-frontend front_end/models/har/HARFormat.ts (commit
// 15cc5eea01a5068716e448b14064e611490022ac: HARRoot, HARLog, HAREntry, HARRequest,
// HARResponse, HARTimings, importWebSocketMessages) and Importer.ts (which messages it keeps).
// A file that fails one of them does not open in Chrome; the list says which and where.

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;
/** HARBase.safeNumber: Number(x) must not be NaN (null and numeric strings pass). */
const castsToNumber = (value: unknown) => !Number.isNaN(Number(value));
/** HARBase.safeDate: new Date(x) must be a valid date. */
const isDate = (value: unknown) => !Number.isNaN(new Date(value as string).getTime());

/** The problems Chrome's importer would throw on (empty when it loads), and the frames it would drop. */
export function chromeImportProblems(har: unknown): { problems: string[]; skippedFrames: number } {
  const problems: string[] = [];
  let skippedFrames = 0;
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  if (!isObject(har) || !isObject(har['log'])) return { problems: ['root.log is not an object'], skippedFrames };
  const log = har['log'];
  need(isObject(log['creator']), 'log.creator is not an object');
  if (log['browser']) need(isObject(log['browser']), 'log.browser is not an object');
  if (Array.isArray(log['pages'])) {
    (log['pages'] as unknown[]).forEach((page, i) => {
      need(isObject(page) && isDate(page['startedDateTime']), `log.pages[${i}].startedDateTime`);
      need(isObject(page) && isObject(page['pageTimings']), `log.pages[${i}].pageTimings`);
    });
  }
  if (!Array.isArray(log['entries'])) return { problems: [...problems, 'log.entries is not an array'], skippedFrames };
  (log['entries'] as unknown[]).forEach((entry, i) => {
    const at = `log.entries[${i}]`;
    if (!isObject(entry)) {
      problems.push(`${at} is not an object`);
      return;
    }
    need(entry['startedDateTime'] !== undefined && isDate(entry['startedDateTime']), `${at}.startedDateTime`);
    need(entry['time'] !== undefined && castsToNumber(entry['time']), `${at}.time`);
    const request = entry['request'];
    const response = entry['response'];
    const timings = entry['timings'];
    need(isObject(request), `${at}.request`);
    need(isObject(response), `${at}.response`);
    need(isObject(timings), `${at}.timings`);
    if (isObject(request)) {
      for (const field of ['headersSize', 'bodySize']) {
        need(request[field] !== undefined && castsToNumber(request[field]), `${at}.request.${field}`);
      }
      for (const list of ['headers', 'cookies', 'queryString']) {
        if (Array.isArray(request[list])) {
          need((request[list] as unknown[]).every(isObject), `${at}.request.${list}[] are objects`);
        }
      }
    }
    if (isObject(response)) {
      for (const field of ['status', 'headersSize', 'bodySize']) {
        need(response[field] !== undefined && castsToNumber(response[field]), `${at}.response.${field}`);
      }
      const content = response['content'];
      need(
        isObject(content) && content['size'] !== undefined && castsToNumber(content['size']),
        `${at}.response.content.size`,
      );
    }
    if (isObject(timings)) {
      for (const field of ['send', 'wait', 'receive']) {
        need(timings[field] !== undefined && castsToNumber(timings[field]), `${at}.timings.${field}`);
      }
      for (const field of ['blocked', 'dns', 'connect', 'ssl']) {
        if (timings[field] !== undefined) need(castsToNumber(timings[field]), `${at}.timings.${field}`);
      }
    }
    const messages = entry['_webSocketMessages'];
    if (Array.isArray(messages)) {
      // A null element throws; any other non-object drops the whole list.
      need(!messages.includes(null), `${at}._webSocketMessages has a null element`);
      if (!messages.every(isObject)) {
        skippedFrames += messages.length;
        return;
      }
      for (const message of messages as Json[]) {
        for (const field of ['time', 'opcode']) {
          if (message[field] !== undefined) need(castsToNumber(message[field]), `${at}._webSocketMessages[].${field}`);
        }
        // Importer.ts keeps a frame only with a time, an opcode, data and a known type.
        const kept =
          message['time'] !== undefined &&
          message['opcode'] !== undefined &&
          message['data'] !== undefined &&
          ['send', 'receive', 'error'].includes(message['type'] as string);
        if (!kept) skippedFrames++;
      }
    }
  });
  return { problems, skippedFrames };
}
