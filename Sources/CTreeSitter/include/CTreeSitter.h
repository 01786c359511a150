// The tree-sitter core and the grammars scribe-parse links. Their C sources are fetched into
// ../vendor by scripts/fetch-grammars.sh (pinned versions, sha256-checked), never committed.
#ifndef SCRIBE_CTREESITTER_H
#define SCRIBE_CTREESITTER_H

#include "../vendor/core/include/tree_sitter/api.h"

const TSLanguage *tree_sitter_python(void);
const TSLanguage *tree_sitter_javascript(void);
const TSLanguage *tree_sitter_go(void);
const TSLanguage *tree_sitter_c(void);
const TSLanguage *tree_sitter_rust(void);
const TSLanguage *tree_sitter_java(void);
const TSLanguage *tree_sitter_ruby(void);
const TSLanguage *tree_sitter_c_sharp(void);
const TSLanguage *tree_sitter_kotlin(void);
const TSLanguage *tree_sitter_cpp(void);
const TSLanguage *tree_sitter_sql(void);

#endif
