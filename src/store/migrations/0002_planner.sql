-- The planner's time and repository triggers: one row per trigger of a stage, with the next
-- time it fires. `pending` is the fire time being handled (0 when none), so a restart between
-- taking a fire and starting its flow neither loses nor repeats it. `state` holds what the
-- trigger remembers (a repo trigger: the commits it last saw).
CREATE TABLE planner_triggers (
  id {pk}, stage_id BIGINT NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
  kind TEXT NOT NULL, spec TEXT NOT NULL, next_fire BIGINT NOT NULL DEFAULT 0,
  pending BIGINT NOT NULL DEFAULT 0, last_fire BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT '{}', created BIGINT NOT NULL,
  UNIQUE (stage_id, kind, spec));
CREATE INDEX planner_triggers_next ON planner_triggers (next_fire);
