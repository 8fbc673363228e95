-- Shelfwise's counting step as SQL: the same pair weights as `shelfwise
-- build`, for logs too big for one machine. Runs unchanged on Apache Spark SQL
-- and on DuckDB (the tests run it there and compare the model byte for byte
-- with the native build). See docs/scaling.md.
--
-- Reads two tables:
--   events(session_id STRING, ts BIGINT, item_id STRING, event_type STRING)
--     event_type is 'view', 'add_to_cart' or 'purchase'; other rows are
--     ignored. Within a session, ts orders the events (no two equal).
--   shelfwise_params(window_size INT, distance_exponent DOUBLE,
--                    backward_weight DOUBLE, popularity_exponent DOUBLE,
--                    neighbors INT)
--     one row; `shelfwise learn --events SAMPLE --sql` prints it.
--
-- Returns the pair table `shelfwise build --pairs` encodes: every item with
-- its occurrence count, and its strongest neighbours with their weights
-- (items without neighbours come once, with an empty neighbour).
WITH intent AS (
  SELECT session_id, ts, item_id,
         CASE event_type WHEN 'view' THEN 1.0 WHEN 'add_to_cart' THEN 2.0 ELSE 3.0 END AS w
  FROM events
  WHERE event_type IN ('view', 'add_to_cart', 'purchase') AND item_id IS NOT NULL AND item_id <> ''
),
flagged AS (
  -- An item repeated in a row (a reload, the back button) counts once.
  SELECT session_id, ts, item_id, w,
         CASE WHEN LAG(item_id) OVER (PARTITION BY session_id ORDER BY ts) = item_id
              THEN 0 ELSE 1 END AS starts_run
  FROM intent
),
runs AS (
  SELECT session_id, item_id, w,
         SUM(starts_run) OVER (PARTITION BY session_id ORDER BY ts
                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS pos
  FROM flagged
),
positions AS (
  -- With the strongest intent of the run.
  SELECT session_id, pos, MIN(item_id) AS item_id, MAX(w) AS w
  FROM runs
  GROUP BY session_id, pos
),
counts AS (
  SELECT item_id, COUNT(*) AS n
  FROM positions
  GROUP BY item_id
),
pairs AS (
  -- b seen after a adds to after_sum, before a to before_sum:
  -- w(a) * w(b) / distance^distance_exponent.
  SELECT a.item_id AS item_id, b.item_id AS neighbor_id,
         SUM(CASE WHEN b.pos > a.pos
                  THEN a.w * b.w * (1.0 / POWER(b.pos - a.pos, p.distance_exponent))
                  ELSE 0.0 END) AS after_sum,
         SUM(CASE WHEN b.pos < a.pos
                  THEN a.w * b.w * (1.0 / POWER(a.pos - b.pos, p.distance_exponent))
                  ELSE 0.0 END) AS before_sum
  FROM positions a
  CROSS JOIN shelfwise_params p
  JOIN positions b
    ON b.session_id = a.session_id
   AND b.pos BETWEEN a.pos - p.window_size AND a.pos + p.window_size
  WHERE b.pos <> a.pos AND b.item_id <> a.item_id
  GROUP BY a.item_id, b.item_id
),
scored AS (
  -- (after + backward_weight * before) / (n(a)^(1/2) * n(b)^popularity_exponent)
  SELECT pr.item_id, pr.neighbor_id,
         (pr.after_sum + p.backward_weight * pr.before_sum)
           / (SQRT(ca.n) * POWER(cb.n, p.popularity_exponent)) AS weight
  FROM pairs pr
  CROSS JOIN shelfwise_params p
  JOIN counts ca ON ca.item_id = pr.item_id
  JOIN counts cb ON cb.item_id = pr.neighbor_id
),
ranked AS (
  -- The model stores 32-bit weights: ties are decided as the model sees them.
  SELECT s.item_id, s.neighbor_id, s.weight,
         ROW_NUMBER() OVER (PARTITION BY s.item_id
                            ORDER BY CAST(s.weight AS FLOAT) DESC, s.neighbor_id) AS k
  FROM scored s
),
kept AS (
  SELECT r.item_id, r.neighbor_id, r.weight, r.k
  FROM ranked r
  CROSS JOIN shelfwise_params p
  WHERE r.k <= p.neighbors
)
SELECT c.item_id, c.n AS item_count, kept.neighbor_id, kept.weight
FROM counts c
LEFT JOIN kept ON kept.item_id = c.item_id
ORDER BY c.item_id, kept.k
