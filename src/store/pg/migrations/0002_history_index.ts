/** The repository memory (src/history/): one JSON document per repository. */
export const description = "repository memory: past incidents and changes per repository";

export const up = `
CREATE TABLE history_index (
  repo text PRIMARY KEY,
  doc jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;
