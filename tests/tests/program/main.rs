//! Integration tests of every instruction against target/deploy/tributary.so, one file each.
mod smoke;
