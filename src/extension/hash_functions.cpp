// SQL-callable hash functions: script_hash, chain_hash, graphile-migrate hashes.
#include "core/chain.hpp"
#include "core/error_codes.hpp"
#include "core/graphile.hpp"
#include "core/script_hash.hpp"
#include "extension/bridge.hpp"
#include "extension/hash_functions.hpp"
#include "extension/pg.hpp"

#include <cstring>
#include <string_view>

void mg::pg::hash_script(const char *data, size_t size, char (&out)[mg::kSha256TextLength + 1]) {
    call_core([&] {
        mg::ScriptHasher hasher;
        hasher.update(data, size);
        hasher.finish(out);
    });
}

namespace {

Datum hash_bytes(const char *data, size_t size) {
    char out[mg::kSha256TextLength + 1];
    mg::pg::hash_script(data, size, out);
    PG_RETURN_TEXT_P(cstring_to_text(out));
}

std::string_view view_of(text *t) {
    return std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

// Copies a core-computed string into a buffer the caller owns; hashes fit in 64 bytes + prefix.
constexpr size_t kHashBuffer = 128;

void copy_out(const std::string &s, char (&out)[kHashBuffer]) {
    size_t n = s.size() < kHashBuffer - 1 ? s.size() : kHashBuffer - 1;
    memcpy(out, s.data(), n);
    out[n] = '\0';
}

} // namespace

extern "C" {

PG_FUNCTION_INFO_V1(mg_script_hash_text);
Datum mg_script_hash_text(PG_FUNCTION_ARGS) {
    text *script = PG_GETARG_TEXT_PP(0);
    return hash_bytes(VARDATA_ANY(script), VARSIZE_ANY_EXHDR(script));
}

PG_FUNCTION_INFO_V1(mg_script_hash_bytea);
Datum mg_script_hash_bytea(PG_FUNCTION_ARGS) {
    bytea *script = PG_GETARG_BYTEA_PP(0);
    return hash_bytes(VARDATA_ANY(script), VARSIZE_ANY_EXHDR(script));
}

PG_FUNCTION_INFO_V1(mg_chain_hash);
Datum mg_chain_hash(PG_FUNCTION_ARGS) {
    // NULL previous hash or script hash count as empty; NULL version is an error.
    if (PG_ARGISNULL(1))
        mg::pg::raise(mg::errcode::kInvalidArgument, "version must not be NULL");
    text *previous = PG_ARGISNULL(0) ? nullptr : PG_GETARG_TEXT_PP(0);
    text *version = PG_GETARG_TEXT_PP(1);
    text *script_hash = PG_ARGISNULL(2) ? nullptr : PG_GETARG_TEXT_PP(2);
    char out[kHashBuffer];
    mg::pg::call_core([&] {
        copy_out(mg::chain_hash(previous ? view_of(previous) : std::string_view(), view_of(version),
                                script_hash ? view_of(script_hash) : std::string_view()),
                 out);
    });
    PG_RETURN_TEXT_P(cstring_to_text(out));
}

PG_FUNCTION_INFO_V1(mg_graphile_migration_hash);
Datum mg_graphile_migration_hash(PG_FUNCTION_ARGS) {
    text *file = PG_GETARG_TEXT_PP(0);
    char out[kHashBuffer];
    mg::pg::call_core([&] {
        mg::GraphileFile parsed = mg::parse_graphile_file(view_of(file));
        copy_out(mg::graphile_hash(parsed.body, parsed.previous), out);
    });
    PG_RETURN_TEXT_P(cstring_to_text(out));
}

PG_FUNCTION_INFO_V1(mg_verify_graphile_migration);
Datum mg_verify_graphile_migration(PG_FUNCTION_ARGS) {
    text *file = PG_GETARG_TEXT_PP(0);
    bool matches = false;
    mg::pg::call_core([&] {
        mg::GraphileFile parsed = mg::parse_graphile_file(view_of(file));
        if (!parsed.declared_hash)
            throw mg::Error(mg::errcode::kInvalidArgument, "the file has no \"--! Hash:\" header",
                            "Only committed graphile-migrate migrations carry a hash.",
                            "Pass a file from the migrations/committed folder.");
        matches = *parsed.declared_hash == mg::graphile_hash(parsed.body, parsed.previous);
    });
    PG_RETURN_BOOL(matches);
}

} // extern "C"
