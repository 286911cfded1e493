#!/bin/sh
# Linker for the registry sBPF route (installed into the toolchain cache as bin/sbpf-link).
# rustc links every cdylib in the dependency graph for the sBPF target. solana-zk-sdk (pulled in by
# spl-token-2022-interface) declares crate-type = ["cdylib", "rlib"]; its cdylib cannot be linked as a
# program and nothing uses it (our program links its rlib), so that one output is written empty.
# Everything else goes to sbpf-linker unchanged.
out=""
prev=""
for arg in "$@"; do
    case "$prev" in -o) out="$arg" ;; esac
    case "$arg" in -o?*) out="${arg#-o}" ;; esac
    prev="$arg"
done
case "$(basename -- "$out")" in
    libsolana_zk_sdk*.so | solana_zk_sdk*.so)
        : >"$out"
        exit 0
        ;;
esac
# the 128-bit runtime is added here rather than as a `-C link-arg` of its absolute path: a path in
# RUSTFLAGS reaches cargo's file names, and so the order the linker reads its inputs in
exec "$(dirname -- "$0")/sbpf-linker" "$@" "$(dirname -- "$0")/../i128rt.bc"
