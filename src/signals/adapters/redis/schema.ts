import { z } from "zod";

/** INFO as a JSON dict (redis-mcp-server `info`), bare or under `result`; values are read with `num()`. */
const info = z.record(z.string(), z.unknown());
export const infoAnswer = z.union([z.looseObject({ result: info }), info]);
export type Info = z.infer<typeof info>;
