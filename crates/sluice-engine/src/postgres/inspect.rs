//! Inspection of a Postgres database into the neutral model.

use super::Postgres;
use crate::{EngineError, ErrorKind};
use sluice_schema::Catalog;

impl Postgres {
    pub async fn inspect(&self, database: &str) -> Result<Catalog, EngineError> {
        Err(EngineError::new(ErrorKind::Other, format!("inspecting {database} is not available yet")))
    }
}
