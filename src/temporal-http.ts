/**
 * A small client of the Temporal server's HTTP API (the frontend's grpc-gateway JSON,
 * `/api/v1/namespaces/{namespace}/...`) for the CLI's read-only commands: a visibility listing, a
 * visibility count and workflow queries, with node:http only. Loading the SDK client (gRPC, protobuf definitions) costs
 * more than a whole `casebook status`, so the commands that only read use this when the server's
 * HTTP address is known; the commands that change things keep the SDK client.
 *
 * Payloads are asked for in full (`noPayloadShorthand`): the shorthand form goes through a protobuf
 * Struct, which turns empty lists into null. They are decoded as the SDK's default data converter
 * does (`json/plain`, `binary/null`); casebook uses no codec.
 */
import http from 'node:http';

/** What the HTTP API needs besides the URL: the namespace, an API key, TLS material. */
export interface TemporalHttpOptions {
  baseUrl: string;
  namespace: string;
  apiKey?: string;
  tls?: { ca?: Uint8Array; cert?: Uint8Array; key?: Uint8Array; servername?: string };
}

/** The server answered with an error: its gRPC status code and message. */
export class TemporalHttpError extends Error {
  constructor(
    /** gRPC status code (5 NOT_FOUND, 4 DEADLINE_EXCEEDED, ...). */
    readonly code: number,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
    this.name = 'TemporalHttpError';
  }
}

/** No answer at all: connection refused, reset, DNS, timeout. */
export class TemporalHttpUnreachable extends Error {
  constructor(readonly url: string, options: { cause: unknown }) {
    super(`cannot reach ${url}: ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`, options);
    this.name = 'TemporalHttpUnreachable';
  }
}

/** One workflow execution of a visibility listing. */
export interface WorkflowListing {
  workflowId: string;
  runId: string;
  type: string;
  /** The task queue its workflow tasks go to. */
  taskQueue: string;
  /** As the SDK names it: `RUNNING`, `COMPLETED`, `CONTINUED_AS_NEW`, ... */
  status: string;
  /** Milliseconds since the epoch. */
  startTime: number;
  /** Search attributes by name, decoded. */
  searchAttributes: Record<string, unknown>;
}

/** A payload as the HTTP API writes it without shorthand: base64 metadata values and data. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromBase64 = (value: string | undefined) => Buffer.from(value ?? '', 'base64').toString('utf8');

/** Decodes one payload as the SDK's default data converter does for what casebook sends. */
export function decodePayload(payload: JsonPayload): unknown {
  const encoding = fromBase64(payload.metadata?.encoding);
  if (encoding === 'binary/null') return undefined;
  if (encoding === 'json/plain') return JSON.parse(fromBase64(payload.data));
  throw new Error(
    `a payload has encoding "${encoding}", which the CLI's HTTP reader does not decode; unset CASEBOOK_TEMPORAL_HTTP_URL so the CLI uses the SDK's data converter.`,
  );
}

interface ListResponse {
  executions?: {
    execution: { workflowId: string; runId: string };
    type?: { name?: string };
    startTime?: string;
    status?: string;
    taskQueue?: string;
    searchAttributes?: { indexedFields?: Record<string, JsonPayload> };
  }[];
  nextPageToken?: string;
}

/** A visibility count: the total, and per group when the query says `GROUP BY` (values decoded). */
export interface WorkflowCount {
  count: number;
  groups: { values: unknown[]; count: number }[];
}

interface CountResponse {
  count?: string | number;
  groups?: { groupValues?: JsonPayload[]; count?: string | number }[];
}

export class TemporalHttpApi {
  private readonly base: URL;

  constructor(private readonly options: TemporalHttpOptions) {
    this.base = new URL(options.baseUrl.replace(/\/+$/, '') + '/');
  }

  get url(): string {
    return this.base.origin;
  }

  /** One request; resolves with the parsed JSON body, rejects with the server's error or unreachability. */
  private request<T>(method: 'GET' | 'POST', pathAndQuery: string, body?: unknown): Promise<T> {
    const url = new URL(pathAndQuery.replace(/^\//, ''), this.base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    // node:https (and TLS) only for an https URL: it costs the start of every call.
    const transport = url.protocol === 'https:' ? (require('node:https') as typeof import('node:https')) : http;
    return new Promise<T>((resolve, reject) => {
      const { ca, cert, key, servername } = this.options.tls ?? {};
      const tls = { ca: ca && Buffer.from(ca), cert: cert && Buffer.from(cert), key: key && Buffer.from(key), servername };
      const req = transport.request(url, { method, headers, ...tls }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => reject(new TemporalHttpUnreachable(this.url, { cause: err })));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : {};
          } catch {
            reject(new TemporalHttpError(2, `${this.url} answered ${res.statusCode} with something that is not JSON (is it the Temporal HTTP API?): ${text.slice(0, 200)}`, res.statusCode ?? 0));
            return;
          }
          if (res.statusCode && res.statusCode >= 200 && res.statusCode < 300) resolve(parsed as T);
          else {
            const error = parsed as { code?: number; message?: string };
            reject(new TemporalHttpError(error.code ?? 2, error.message ?? `HTTP ${res.statusCode}`, res.statusCode ?? 0));
          }
        });
      });
      // A server that accepts but never answers: far longer than any query the server itself lets run.
      req.setTimeout(120_000, () => req.destroy(new Error('no answer within 120 s')));
      req.on('error', (err) => reject(new TemporalHttpUnreachable(this.url, { cause: err })));
      req.end(payload);
    });
  }

  private namespacePath(rest: string): string {
    return `api/v1/namespaces/${encodeURIComponent(this.options.namespace)}/${rest}`;
  }

  /** The executions a visibility query matches, page by page (the newest first, as the server lists them). */
  async *listWorkflows(query: string, pageSize = 1000): AsyncGenerator<WorkflowListing> {
    let token: string | undefined;
    do {
      const params = new URLSearchParams({ query, pageSize: String(pageSize), noPayloadShorthand: 'true' });
      if (token) params.set('nextPageToken', token);
      const page = await this.request<ListResponse>('GET', this.namespacePath(`workflows?${params.toString()}`));
      for (const e of page.executions ?? []) {
        const fields = e.searchAttributes?.indexedFields ?? {};
        yield {
          workflowId: e.execution.workflowId,
          runId: e.execution.runId,
          type: e.type?.name ?? '',
          taskQueue: e.taskQueue ?? '',
          status: (e.status ?? 'WORKFLOW_EXECUTION_STATUS_UNSPECIFIED').replace(/^WORKFLOW_EXECUTION_STATUS_/, ''),
          startTime: e.startTime ? Date.parse(e.startTime) : 0,
          searchAttributes: Object.fromEntries(Object.entries(fields).map(([name, payload]) => [name, decodePayload(payload)])),
        };
      }
      token = page.nextPageToken || undefined;
    } while (token);
  }

  /** Counts the executions a visibility query matches (`... GROUP BY ExecutionStatus` gives groups). */
  async countWorkflows(query: string): Promise<WorkflowCount> {
    const params = new URLSearchParams({ query, noPayloadShorthand: 'true' });
    const answer = await this.request<CountResponse>('GET', this.namespacePath(`workflow-count?${params.toString()}`));
    return {
      count: Number(answer.count ?? 0),
      groups: (answer.groups ?? []).map((g) => ({ values: (g.groupValues ?? []).map(decodePayload), count: Number(g.count ?? 0) })),
    };
  }

  /** Runs a query without arguments on the latest run of a workflow and decodes its result. */
  async query<T>(workflowId: string, queryType: string): Promise<T> {
    const result = await this.request<{ queryResult?: { payloads?: JsonPayload[] } }>(
      'POST',
      this.namespacePath(`workflows/${encodeURIComponent(workflowId)}/query/${encodeURIComponent(queryType)}?noPayloadShorthand=true`),
      { query: {} },
    );
    const [first] = result.queryResult?.payloads ?? [];
    return (first ? decodePayload(first) : undefined) as T;
  }

  /** How many workers polled a task queue for workflow tasks lately (the server's DescribeTaskQueue). */
  async workflowPollers(taskQueue: string): Promise<number> {
    const params = new URLSearchParams({ taskQueueType: 'TASK_QUEUE_TYPE_WORKFLOW' });
    const answer = await this.request<{ pollers?: unknown[] }>('GET', this.namespacePath(`task-queues/${encodeURIComponent(taskQueue)}?${params.toString()}`));
    return answer.pollers?.length ?? 0;
  }
}
