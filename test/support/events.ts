/** The seeded Segment message builders live with the benches (which may not import tests). */
export * from '#bench/workload-events';
