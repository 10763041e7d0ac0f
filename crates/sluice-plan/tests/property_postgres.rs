//! Property test of the PostgreSQL planner: random schemas and random
//! changes to them, through the same oracle as `oracle_postgres`
//! (forward plan applied gives B's dump, reverse plan gives A's back).
//!
//! The generator is a deterministic xorshift: each case's seed is printed
//! with its failure, and `PROPERTY_SEED=n` runs that one case again;
//! `PROPERTY_CASES=n` runs more cases than the default.

mod pg_support;

use std::sync::Arc;

use pg_support::random::{Rng, Spec};
use pg_support::*;
use sluice_plan::PlanOptions;

const CASES: u64 = 25;
const FIRST_SEED: u64 = 0x51_u64 << 32;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_schemas_and_changes_round_trip() {
    let seeds: Vec<u64> = match std::env::var("PROPERTY_SEED") {
        Ok(seed) => vec![seed.parse().expect("PROPERTY_SEED is a number")],
        Err(_) => {
            let cases = std::env::var("PROPERTY_CASES")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(CASES);
            (0..cases).map(|k| FIRST_SEED + k).collect()
        }
    };
    let scratch = Arc::new(Scratch::new("prop"));
    let permits = Arc::new(tokio::sync::Semaphore::new(3));
    let mut tasks = tokio::task::JoinSet::new();
    for seed in seeds {
        let (scratch, permits) = (scratch.clone(), permits.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire().await;
            let mut rng = Rng::new(seed);
            let a = Spec::random(&mut rng);
            let b = a.mutated(&mut rng);
            let (a, b) = (a.sql(), b.sql());
            oracle(
                &scratch,
                &format!("s{seed}"),
                &a,
                &b,
                &PlanOptions::default(),
            )
            .await
            .err()
            .map(|e| format!("seed {seed}:\n-- A\n{a}\n-- B\n{b}\n{e}"))
        });
    }
    let mut failures = Vec::new();
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(failure) => failures.extend(failure),
            Err(e) => failures.push(format!("a case panicked: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
