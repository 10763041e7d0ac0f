//! Inspection of a Sqlite database into the neutral model.

use super::Sqlite;
use crate::{EngineError, ErrorKind};
use sluice_schema::Catalog;

impl Sqlite {
    pub async fn inspect(&self, database: &str) -> Result<Catalog, EngineError> {
        Err(EngineError::new(ErrorKind::Other, format!("inspecting {database} is not available yet")))
    }
}
