/**
 * History <-> proto3 JSON (the format of `temporal workflow show -o json` and the Web UI download).
 *
 * `historyToJSON` / `historyFromJSON` from @temporalio/common do the same, but they fail with
 * "type must be a Type" when npm installs two copies of protobufjs 8 (one under
 * @temporalio/common, one under @temporalio/proto), as it does here because @grpc/proto-loader
 * holds protobufjs 7 at the top level. These helpers use the protobufjs copy that
 * @temporalio/proto itself resolves, so the types and the JSON codec always match.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

type History = proto.temporal.api.history.v1.IHistory;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

const protoDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

/** A fetched history as indented proto3 JSON. */
export function historyToJson(history: History): string {
  const message = proto.temporal.api.history.v1.History.fromObject(history);
  return JSON.stringify(protojson.toJson(historyType, message), null, 2);
}

/** Parses proto3 JSON (ours or `temporal workflow show -o json`) back into a History. */
export function historyFromJson(json: unknown): History {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events)) {
    throw new TypeError('Invalid history: expected an object with an array of events.');
  }
  const loaded = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!loaded) throw new TypeError('Invalid history.');
  return loaded as History;
}

/** Reads a history file written by scripts/record-histories.ts. */
export function readHistoryFile(file: string): History {
  return historyFromJson(JSON.parse(readFileSync(file, 'utf8')));
}
