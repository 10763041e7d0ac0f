//! engine.*: rules about storage engines.

pub mod mysql_use_innodb;
