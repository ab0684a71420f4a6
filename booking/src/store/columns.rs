//! Reading typed values out of `Any` rows. Ids are stored as text and times as Unix seconds in
//! both dialects; a value that does not parse means the row was written by something else, so
//! it is an internal error naming the column.

use crate::error::{Error, Result};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::str::FromStr;

fn corrupt(column: &str) -> Error {
    Error::Internal(format!("stored row has an invalid {column}"))
}

/// A text column parsed into its type (ids, enums with `FromStr`).
pub(crate) fn parsed<T: FromStr>(row: &AnyRow, column: &str) -> Result<T> {
    row.try_get::<String, _>(column)?
        .parse()
        .map_err(|_| corrupt(column))
}

/// A Unix-seconds column as an instant.
pub(crate) fn instant(row: &AnyRow, column: &str) -> Result<Timestamp> {
    Timestamp::from_second(row.try_get(column)?).map_err(|_| corrupt(column))
}

/// A nullable Unix-seconds column as an optional instant.
pub(crate) fn optional_instant(row: &AnyRow, column: &str) -> Result<Option<Timestamp>> {
    row.try_get::<Option<i64>, _>(column)?
        .map(|s| Timestamp::from_second(s).map_err(|_| corrupt(column)))
        .transpose()
}
