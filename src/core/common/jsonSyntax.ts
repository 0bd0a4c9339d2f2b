// Locating a JSON syntax error by line and column: pure text scanning, shared by the file
// formats (core/files) and the webview's message composer, which checks JSON as it is typed.

/**
 * The character at `index` as a syntax error names it: printable ones quoted (`"x"`), the
 * invisible ones by code point and kind — a control character is never echoed to a terminal,
 * and a byte order mark or a zero-width space is not shown as an empty pair of quotes.
 */
export function describeJsonCharacter(text: string, index: number): string {
  const code = text.codePointAt(index) ?? 0;
  const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `${name} (a control character)`;
  if (code === 0xfeff) return `${name} (a byte order mark)`;
  if (code === 0xfffd) return `${name} (a replacement character: the bytes were not UTF-8)`;
  if ((code >= 0xd800 && code <= 0xdfff) || (code >= 0xfff0 && code <= 0xffff)) return `${name} (not a character)`;
  if ((code >= 0x200b && code <= 0x200f) || (code >= 0x2028 && code <= 0x202e) || (code >= 0x2060 && code <= 0x206f)) {
    return `${name} (an invisible character)`;
  }
  return `"${String.fromCodePoint(code)}"`;
}

/** Where the first JSON syntax error is, and what was expected there; null if the text is valid. */
export function findJsonSyntaxError(text: string): { offset: number; message: string } | null {
  let i = 0;
  const fail = (message: string): never => {
    throw { offset: i, message };
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const describeHere = () => (i >= text.length ? 'the end of the text' : describeJsonCharacter(text, i));
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`unexpected ${describeHere()}`);
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const ch = text.charCodeAt(i);
      if (ch < 0x20) fail('a control character inside a string (line breaks must be written \\n)');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('a bad \\u escape');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('a bad escape sequence');
      }
      i++;
    }
    if (i >= text.length) fail('an unterminated string');
    i++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match) fail(`unexpected ${describeHere()}`);
    i += match![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 512) fail('nesting deeper than 512 levels');
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a property name in double quotes, found ${describeHere()}`);
        string();
        ws();
        if (text[i] !== ':') fail(`expected ":" after a property name, found ${describeHere()}`);
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(`expected "," or "}" after a property value, found ${describeHere()}`);
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(`expected "," or "]" after an array element, found ${describeHere()}`);
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    fail(i >= text.length ? 'unexpected end of the text' : `unexpected ${describeHere()}`);
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail(`unexpected ${describeHere()} after the JSON value`);
    return null;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'offset' in error) {
      return error as { offset: number; message: string };
    }
    throw error;
  }
}

/** Line and column (1-based) of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
