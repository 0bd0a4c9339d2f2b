// What the two GraphQL over WebSocket protocols (graphqlTransportWs.ts, graphqlWs.ts) share:
// naming an operation from its query text, reading GraphQL errors, the `connectionParams`
// option both send in connection_init, and the composer's operation fields.

import { isObject } from '../common/values.js';
import { briefJson, composerJson } from './jsonFrames.js';

export interface GraphqlOperation {
  /** query, mutation or subscription ('query' for the `{ … }` shorthand). */
  type: string;
  /** Absent for an anonymous operation. */
  name?: string;
}

const OPERATION_TYPES = new Set(['query', 'mutation', 'subscription']);
const NAME_START = /[_A-Za-z]/;
const NAME_PART = /[_0-9A-Za-z]/;

/**
 * The first operation of a GraphQL document (per the GraphQL spec's grammar, 2.3 Operations):
 * read at brace depth 0, skipping comments, strings and fragment definitions; null when the
 * text has none. A scanner, not a parser: enough to name what a frame asks for.
 */
export function firstOperation(query: string): GraphqlOperation | null {
  let depth = 0;
  let i = 0;
  const words: string[] = [];
  while (i < query.length) {
    const ch = query[i]!;
    if (ch === '#') {
      while (i < query.length && query[i] !== '\n') i++;
      continue;
    }
    if (ch === '"') {
      const block = query.startsWith('"""', i);
      const end = block ? query.indexOf('"""', i + 3) : skipString(query, i);
      if (end < 0) return null;
      i = block ? end + 3 : end;
      continue;
    }
    if (ch === '{' || ch === '(' || ch === '[') {
      // The shorthand `{ … }` at depth 0 with no keyword before it is an anonymous query.
      if (ch === '{' && depth === 0 && words.length === 0) return { type: 'query' };
      if (ch === '{' && depth === 0 && OPERATION_TYPES.has(words[0]!)) return operationOf(words);
      depth++;
      i++;
      continue;
    }
    if (ch === '}' || ch === ')' || ch === ']') {
      depth = Math.max(0, depth - 1);
      if (depth === 0 && ch === '}') words.length = 0; // a definition ended (a fragment): start over
      i++;
      continue;
    }
    if (depth === 0 && NAME_START.test(ch)) {
      let end = i + 1;
      while (end < query.length && NAME_PART.test(query[end]!)) end++;
      words.push(query.slice(i, end));
      i = end;
      continue;
    }
    i++;
  }
  return null;
}

function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
  return text[i] === '"' ? i + 1 : -1;
}

function operationOf(words: readonly string[]): GraphqlOperation {
  const [type, name] = words;
  return name === undefined ? { type: type! } : { type: type!, name };
}

/** The messages of a GraphQL errors array (or a single error object), joined; undefined when none. */
export function graphqlErrorText(errors: unknown): string | undefined {
  const list = Array.isArray(errors) ? errors : errors === undefined || errors === null ? [] : [errors];
  const messages = list.map((error) =>
    isObject(error) && typeof error.message === 'string' ? error.message : briefJson(error),
  );
  return messages.length > 0 ? messages.join('; ') : undefined;
}

/** A subscribe/start payload read for display: operation name (given or from the query), variables. */
export function describeOperation(payload: unknown): {
  name?: string;
  operationType?: string;
  summary: string;
  fields: Record<string, unknown>;
} {
  if (!isObject(payload)) return { summary: '(no operation payload)', fields: {} };
  const query = typeof payload.query === 'string' ? payload.query : undefined;
  const operation = query === undefined ? null : firstOperation(query);
  const given =
    typeof payload.operationName === 'string' && payload.operationName !== '' ? payload.operationName : undefined;
  const name = given ?? operation?.name;
  const fields: Record<string, unknown> = {};
  if (operation) fields.operationType = operation.type;
  if (name !== undefined) fields.operationName = name;
  if (payload.variables !== undefined && payload.variables !== null) fields.variables = payload.variables;
  if (query !== undefined) fields.query = query;
  const label = name ?? (operation ? `anonymous ${operation.type}` : 'operation');
  const variables = isObject(payload.variables) ? ` ${briefJson(payload.variables)}` : '';
  return {
    ...(name !== undefined ? { name } : {}),
    ...(operation ? { operationType: operation.type } : {}),
    summary: `${label}${variables}`,
    fields,
  };
}

/** A result payload (next/data) in a line: the top-level fields of `data`, and any errors. */
export function describeResult(payload: unknown): { summary: string; error?: string; fields: Record<string, unknown> } {
  if (!isObject(payload)) return { summary: '(no result)', fields: {} };
  const error = graphqlErrorText(payload.errors);
  const data = payload.data;
  const fields: Record<string, unknown> = {};
  if (data !== undefined) fields.data = data;
  if (payload.errors !== undefined) fields.errors = payload.errors;
  const summary = data === undefined || data === null ? (error ?? 'no data') : briefJson(data);
  return { summary, ...(error !== undefined ? { error } : {}), fields };
}

/** The names of an init payload's keys (not their values: they are often tokens). */
export function payloadKeys(payload: unknown): string {
  if (!isObject(payload)) return '';
  const keys = Object.keys(payload);
  return keys.length === 0 ? '' : ` (payload: ${keys.join(', ')})`;
}

/**
 * The endpoint's connectionParams, sent as connection_init's payload: a JSON object, given as
 * one or as its JSON text (the CLI's --protocol-option connectionParams={…}). Undefined when absent.
 */
export function connectionParamsOf(options: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const value = options.connectionParams;
  if (isObject(value)) return value;
  if (typeof value === 'string') {
    try {
      const parsed = JSON.parse(value) as unknown;
      if (isObject(parsed)) return parsed;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Problems with the connectionParams option, and with keys this protocol does not read. */
export function checkGraphqlOptions(
  protocol: string,
  options: Readonly<Record<string, unknown>>,
  known: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) problems.push(`${protocol} has no option "${key}" (it reads ${known.join(', ')})`);
  }
  const value = options.connectionParams;
  if (value !== undefined && connectionParamsOf(options) === undefined) {
    problems.push('connectionParams must be a JSON object, sent as the payload of connection_init');
  }
  return problems;
}

/** The composer's operation: query required, variables a JSON object, operationName optional. */
export function composeOperation(values: Readonly<Record<string, string>>): Record<string, unknown> {
  const query = values.query?.trim() ?? '';
  if (query === '') throw new Error('query is empty: write the GraphQL operation to send');
  const variables = composerJson('variables', values.variables, 'object');
  const operationName = values.operationName?.trim() ?? '';
  return {
    query,
    ...(variables !== undefined ? { variables } : {}),
    ...(operationName !== '' ? { operationName } : {}),
  };
}

/** A composer's id field: the given one, or the next of a counter (never repeated in a process). */
export function operationIdFrom(values: Readonly<Record<string, string>>, next: () => number): string {
  const given = values.id?.trim() ?? '';
  return given !== '' ? given : String(next());
}

/** A composer's required id field (stop/complete). */
export function requiredOperationId(values: Readonly<Record<string, string>>, what: string): string {
  const id = values.id?.trim() ?? '';
  if (id === '') throw new Error(`id is empty: give the id of the operation to ${what}`);
  return id;
}

export const OPERATION_FIELDS = [
  {
    name: 'query',
    label: 'Query',
    placeholder: 'subscription OnTick { tick }',
    multiline: true,
  },
  { name: 'variables', label: 'Variables (JSON object)', placeholder: '{"room": "a"}', multiline: true, json: true },
  { name: 'operationName', label: 'Operation name', placeholder: 'optional' },
  { name: 'id', label: 'Id', placeholder: 'auto' },
] as const;
