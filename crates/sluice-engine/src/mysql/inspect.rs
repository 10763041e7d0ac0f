//! Inspection of a Mysql database into the neutral model.

use super::Mysql;
use crate::{EngineError, ErrorKind};
use sluice_schema::Catalog;

impl Mysql {
    pub async fn inspect(&self, database: &str) -> Result<Catalog, EngineError> {
        Err(EngineError::new(ErrorKind::Other, format!("inspecting {database} is not available yet")))
    }
}
