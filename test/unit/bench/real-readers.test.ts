import { afterAll, describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseNezhaTime, readNezhaDay } from "../../../bench/real/nezha.js";
import { readRcaevalDir } from "../../../bench/real/rcaeval.js";
import { baro } from "../../../bench/real/baro.js";
import { accuracy } from "../../../bench/real/accuracy.js";
import { rankServices } from "../../../src/analysis/ranking/rank-services.js";

const root = mkdtempSync(join(tmpdir(), "real-readers-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const write = (file: string, text: string) => {
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, text);
};
const noise = (i: number) => (((i * 7919) % 13) - 6) / 100;

/** A Nezha day: 3 pods, 90 minutes, a CPU fault on `cart` at minute 70; one TimeStamp mistyped. */
function nezhaDay(dir: string, opts: { edges: "file" | "spans"; badTime?: boolean; dropColumn?: string } = { edges: "file" }) {
  const t0 = Date.UTC(2022, 7, 22, 3, 0, 19);
  const header = [
    "Time",
    "TimeStamp",
    "PodName",
    "CpuUsageRate(%)",
    "MemoryUsage(Mi)",
    "PodServerLatencyP90(s)",
    "PodWorkload(Ops)",
    "NodeCpuUsageRate(%)",
  ].filter((c) => c !== opts.dropColumn);
  for (const [pod, svc] of [
    ["frontend-579b9bff58-t2dbm", "frontend"],
    ["cartservice-579f59597d-wc2lz", "cart"],
    ["adservice-5f6585d649-fnmft", "ad"],
  ]) {
    const rows = Array.from({ length: 90 }, (_, m) => {
      const at = new Date(t0 + m * 60_000);
      const time = `${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 19)}.123456789 +0000 UTC m=+${m * 60}.1`;
      const fault = svc === "cart" && m >= 71 && m <= 74;
      const slow = svc === "frontend" && m >= 71 && m <= 74;
      const cells: Record<string, string | undefined> = {
        Time: opts.badTime && m === 5 && svc === "ad" ? "yesterday" : time,
        TimeStamp: m === 30 ? "16611" : String(Math.floor(at.getTime() / 1000)),
        PodName: pod,
        "CpuUsageRate(%)": String((fault ? 90 : 20) * (1 + noise(m))),
        "MemoryUsage(Mi)": String(100 * (1 + noise(m + 1))),
        "PodServerLatencyP90(s)": String((slow ? 2 : 0.2) * (1 + noise(m + 2))),
        "PodWorkload(Ops)": String(10 * (1 + noise(m + 3))),
        "NodeCpuUsageRate(%)": String(30 * (1 + noise(m + 4))),
      };
      return header.map((h) => cells[h]).join(",");
    });
    write(join(dir, "metric", `${pod}_metric.csv`), [header.join(","), ...rows].join("\n") + "\n");
  }
  write(
    join(dir, "fault_list.json"),
    JSON.stringify({
      "04": [
        {
          inject_time: "2022-08-22 04:10:30",
          inject_timestamp: "1661141430",
          inject_pod: "cartservice-579f59597d-wc2lz",
          inject_type: "cpu_contention",
        },
      ],
    }),
  );
  if (opts.edges === "file")
    write(join(dir, "trace_edges.csv"), "minute,caller,callee,calls\n04_05,frontend,cartservice,30\n04_05,frontend,adservice,10\n");
  else {
    const ns = (BigInt(Date.UTC(2022, 7, 22, 4, 5, 1)) * 1_000_000n).toString();
    write(
      join(dir, "trace", "04_05_trace.csv"),
      [
        "TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration",
        `t1,a,root,frontend-579b9bff58-t2dbm,Recv,${ns},${ns},1`,
        `t1,b,a,frontend-579b9bff58-t2dbm,CartService/GetCart,${ns},${ns},1`,
        `t1,c,b,cartservice-579f59597d-wc2lz,GetCart,${ns},${ns},1`,
        `t1,d,a,adservice-5f6585d649-fnmft,GetAds,${ns},${ns},1`,
      ].join("\n") + "\n",
    );
  }
}

describe("Nezha reader", () => {
  it("parses Go's time.String and plain UTC times, and rejects impossible dates", () => {
    expect(parseNezhaTime("2022-08-22 03:51:19.799087274 +0000 UTC m=+0.305041286")).toBe(Date.UTC(2022, 7, 22, 3, 51, 19, 799));
    expect(parseNezhaTime("2022-08-22 03:53:54")).toBe(Date.UTC(2022, 7, 22, 3, 53, 54));
    expect(parseNezhaTime("2022-08-22 05:53:54 +0200")).toBe(Date.UTC(2022, 7, 22, 3, 53, 54));
    expect(parseNezhaTime("2022-02-31 03:53:54")).toBeNaN();
    expect(parseNezhaTime("1661140279")).toBeNaN();
  });

  it.each(["file", "spans"] as const)("turns a day (edges from %s) into cases the product's ranking gets right", (edges) => {
    const dir = join(root, `nezha-${edges}`, "2022-08-22");
    nezhaDay(dir, { edges });
    const [c] = readNezhaDay(dir);
    expect(c).toMatchObject({ truth: "cartservice", faultType: "cpu_contention", group: "2022-08-22" });
    expect(c!.edges).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ from: "frontend", to: "cartservice" }),
        expect.objectContaining({ from: "frontend", to: "adservice" }),
      ]),
    );
    // The mistyped TimeStamp does not matter: times come from the Time string.
    expect(c!.signals.find((s) => s.id.includes("cartservice") && s.name === "pod.cpu_usage_rate")!.series![0]!.points.length).toBe(65);
    // Node metrics stay, without a service.
    expect(c!.signals.find((s) => s.name === "node.cpu_usage_rate")!.service).toBeUndefined();
    const ranks = rankServices({ signals: c!.signals, window: c!.window, baseline: c!.baseline, edges: c!.edges });
    expect(ranks[0]!.service).toBe("cartservice");
    expect(ranks.find((r) => r.service === "frontend")!.role).toBe("symptom");
    expect(baro(c!.baroSignals!, c!.window, c!.baseline)[0]).toBe("frontend");
    expect(c!.baroSignals!.every((s) => s.series![0]!.labels.pod)).toBe(true);
  });

  it("names the file, line and problem of malformed input", () => {
    const bad = join(root, "nezha-bad", "2022-08-22");
    nezhaDay(bad, { edges: "file", badTime: true });
    expect(() => readNezhaDay(bad)).toThrow(/adservice-5f6585d649-fnmft_metric\.csv:7: bad Time "yesterday"/);
    const missing = join(root, "nezha-missing", "2022-08-22");
    nezhaDay(missing, { edges: "file", dropColumn: "PodName" });
    expect(() => readNezhaDay(missing)).toThrow(/_metric\.csv: missing column PodName/);
    write(join(missing, "fault_list.json"), "{ not json");
    expect(() => readNezhaDay(missing)).toThrow(/fault_list\.json: not JSON/);
  });
});

/** A Sock Shop repetition at 1 Hz: 10 min normal, 5 min anomalous, a memory leak on `orders`. */
function rcaevalCase(dir: string, opts: { badTime?: boolean; noTime?: boolean } = {}) {
  const services = ["carts", "orders", "front-end"];
  const header = [
    opts.noTime ? "ts" : "time",
    ...services.flatMap((s) => [`${s}_cpu`, `${s}_mem`, `${s}_lat_50`, `${s}_lat_90`, `${s}_lod`]),
  ];
  const t0 = 1_692_569_000;
  const rows = (from: number, n: number, leak: boolean) =>
    Array.from({ length: n }, (_, i) => {
      const t = from + i;
      const cells = services.flatMap((s) => {
        const k = t % 97;
        const mem = s === "orders" && leak ? 200 + i * 2 : 200 * (1 + noise(k));
        return [0.3 * (1 + noise(k + 1)), mem, 0.01 * (1 + noise(k + 2)), 0.02 * (1 + noise(k + 3)), 5 * (1 + noise(k + 4))].map(String);
      });
      return [opts.badTime && i === 3 ? "12:00" : String(t), ...cells].join(",");
    });
  write(join(dir, "normal.csv"), [header.join(","), ...rows(t0, 600, false)].join("\n") + "\n");
  write(join(dir, "anomalous.csv"), [header.join(","), ...rows(t0 + 600, 300, true)].join("\n") + "\n");
}

describe("RCAEval reader", () => {
  it("reads <service>-<fault>/<rep> folders; the truth is the folder's service, found first", () => {
    const dir = join(root, "rcaeval");
    rcaevalCase(join(dir, "orders-mem", "1"));
    rcaevalCase(join(dir, "orders-mem", "2"));
    const cases = readRcaevalDir(dir);
    expect(cases.map((c) => [c.id, c.truth, c.group])).toEqual([
      ["orders-mem/1", "orders", "mem"],
      ["orders-mem/2", "orders", "mem"],
    ]);
    expect(cases[0]!.signals.map((s) => s.service)).toContain("front-end");
    const ranked = cases.map((c) => ({
      truth: c.truth,
      ranking: rankServices({ signals: c.signals, window: c.window, baseline: c.baseline }).map((r) => r.service),
    }));
    expect(accuracy(ranked)).toEqual({ n: 2, ac1: 1, ac3: 1, avg5: 1 });
    expect(ranked[0]!.ranking).toHaveLength(3);
  });

  it("names the file and problem of malformed input", () => {
    rcaevalCase(join(root, "rcaeval-bad", "carts-cpu", "1"), { badTime: true });
    expect(() => readRcaevalDir(join(root, "rcaeval-bad"))).toThrow(/normal\.csv:5: bad time "12:00"/);
    rcaevalCase(join(root, "rcaeval-notime", "carts-cpu", "1"), { noTime: true });
    expect(() => readRcaevalDir(join(root, "rcaeval-notime"))).toThrow(/normal\.csv: missing column time/);
    mkdirSync(join(root, "rcaeval-empty", "carts-cpu", "1"), { recursive: true });
    expect(() => readRcaevalDir(join(root, "rcaeval-empty"))).toThrow(/needs normal\.csv and anomalous\.csv/);
  });
});

describe("accuracy", () => {
  it("follows RCAEval: AC@k in the top k, Avg@5 the mean of AC@1..5", () => {
    const a = accuracy([
      { truth: "a", ranking: ["a", "b"] },
      { truth: "b", ranking: ["a", "c", "b"] },
      { truth: "z", ranking: ["a", "b", "c", "d", "z"] },
      { truth: "q", ranking: [] },
    ]);
    expect(a).toEqual({ n: 4, ac1: 0.25, ac3: 0.5, avg5: (0.25 + 0.25 + 0.5 + 0.5 + 0.75) / 5 });
  });
});
