//! The files a `saas-host` user may edit, copy or damage, read here with
//! no runtime, so that they can be fuzzed without building wasmtime: the
//! sync checkpoint's format and (feature `config-file`) the settings file.

pub mod checkpoint;
#[cfg(feature = "config-file")]
pub mod config_file;
