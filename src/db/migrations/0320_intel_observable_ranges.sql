-- Correlation looks for stored CIDR ranges that contain a value. Ranges are
-- few among millions of single addresses, so a partial GiST index over the
-- ranges alone answers "which stored range contains this address" without
-- probing the index of every address (see matchObservables). Its predicate
-- is written exactly as the query writes it, so the planner can use it.
CREATE INDEX intel_observables_ranges ON intel_observables USING gist (ip inet_ops)
  WHERE (ip is not null and masklen(ip) < (case when family(ip) = 4 then 32 else 128 end));
