// A small JSON Schema (draft-07 subset) validator for the workflow schema: type, enum, const,
// pattern, minimum, minLength, minItems, properties, required, additionalProperties, items,
// allOf with if/then/else, $ref to #/definitions, plus `x-requires-one-of` (at least one of
// the named keys). It stops at the first error and names its path ("jobs[2].steps[0].cmdd")
// with a "did you mean" hint for misspelt keys and enum values.
// Immutable after construction; thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "workflow/schema_error.h"

namespace kraken::workflow {

class JsonSchemaValidator {
 public:
  // Compiles `schema` once into a tree of nodes, so validation does no key lookups in the
  // schema document and builds no strings until it finds an error.
  explicit JsonSchemaValidator(const Json& schema);
  ~JsonSchemaValidator();
  JsonSchemaValidator(const JsonSchemaValidator&) = delete;
  JsonSchemaValidator& operator=(const JsonSchemaValidator&) = delete;

  // The first violation, or nullopt when `doc` conforms.
  std::optional<SchemaError> Validate(const Json& doc) const;

  struct Node;

 private:
  std::vector<std::unique_ptr<Node>> nodes_;  // owns every node; nodes_[0] is the root
};

// The closest candidate to `word` by edit distance, if it is close enough to be a likely typo.
std::optional<std::string> Suggest(const std::string& word,
                                   const std::vector<std::string>& candidates);

// The workflow schema document (src/workflow/workflow_schema.json, embedded at build time).
const char* WorkflowSchemaText();
const JsonSchemaValidator& WorkflowSchemaValidator();

}  // namespace kraken::workflow
