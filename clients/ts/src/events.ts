// The program's events and errors as a client reads them: events from a transaction's log lines
// (`Program data: <base64>` — Anchor's emit!), errors by their custom code. The tables come from the
// IDL (idl-tables.generated.ts); this file only matches and decodes.
import { getBase64Encoder, type ReadonlyUint8Array } from '@solana/kit';
import {
  TRIBUTARY_ERRORS,
  TRIBUTARY_EVENT_DISCRIMINATORS,
  tributaryEventDecoders,
  type TributaryEventMap,
} from './idl-tables.generated';

export { TRIBUTARY_ERRORS, TRIBUTARY_EVENT_DISCRIMINATORS, tributaryEventDecoders, type TributaryEventMap };

/** One decoded event: its name and fields (`name` narrows `data`). */
export type TributaryEvent = { [K in keyof TributaryEventMap]: { name: K; data: TributaryEventMap[K] } }[keyof TributaryEventMap];

const names = Object.keys(TRIBUTARY_EVENT_DISCRIMINATORS) as (keyof TributaryEventMap)[];

/** The event `bytes` hold (discriminator then fields), or undefined if they are no Tributary event. */
export function decodeTributaryEvent(bytes: ReadonlyUint8Array): TributaryEvent | undefined {
  const name = names.find((n) => TRIBUTARY_EVENT_DISCRIMINATORS[n].every((b, i) => bytes[i] === b));
  if (!name) return undefined;
  try {
    return { name, data: tributaryEventDecoders[name].decode(bytes.slice(8)) } as TributaryEvent;
  } catch {
    return undefined; // a matching prefix on bytes that are not this event
  }
}

/** Every Tributary event in a transaction's log messages, in order. */
export function decodeTributaryEventsFromLogs(logs: readonly string[]): TributaryEvent[] {
  const base64 = getBase64Encoder();
  const out: TributaryEvent[] = [];
  for (const line of logs) {
    if (!line.startsWith('Program data: ')) continue;
    const event = decodeTributaryEvent(base64.encode(line.slice('Program data: '.length)));
    if (event) out.push(event);
  }
  return out;
}

/** The program's error for a custom error code (`custom program error: 0x…`), if it is one of its own. */
export function tributaryErrorOf(code: number): { code: number; name: string; message: string } | undefined {
  return TRIBUTARY_ERRORS.find((e) => e.code === code);
}
