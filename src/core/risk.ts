/** Risk levels, lowest first: the one ordering every comparison uses. */
export const LEVELS = ["low", "medium", "high", "critical"] as const;
export type RiskLevel = (typeof LEVELS)[number];

/** Position of a level in {@link LEVELS} (low = 0). */
export const levelRank = (level: RiskLevel) => LEVELS.indexOf(level);

/** Whether `level` is `min` or above. */
export const atLeast = (level: RiskLevel, min: RiskLevel) => levelRank(level) >= levelRank(min);
