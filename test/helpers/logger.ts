import pino from "pino";
import { Writable } from "node:stream";

export type LogLine = { level: number; msg: string; [key: string]: unknown };

/** A real pino logger whose lines the test can read. */
export function captureLogger() {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: "debug" }, stream), lines };
}
