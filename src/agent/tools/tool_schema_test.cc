// The agent's tools and the workflow schema that validates stages must describe the same
// fields: a field the schema accepts but no tool reads is silently ignored at run time, and
// a field a tool reads but the schema refuses can never be used. This pins them together.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "agent/tools/tool.h"

namespace kraken::tools {
namespace {

// Fields of every step, handled by the stage validator and the agent, not by a tool.
const std::set<std::string> kStepFields = {"tool", "name", "when", "attempts",
                                           "sleep_time_after_attempt"};
// Kraken CI tools the schema accepts that no agent tool implements (none now).
const std::set<std::string> kSchemaOnly = {};

Json WorkflowSchema() {
  std::ifstream in(std::string(KRAKEN_SOURCE_DIR) + "/src/workflow/workflow_schema.json");
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

std::set<std::string> Types(const std::string& spec_type) {
  std::set<std::string> out;
  std::stringstream in(spec_type);
  for (std::string t; std::getline(in, t, '|');) out.insert(t);
  return out;
}

std::set<std::string> Types(const Json& schema_type) {
  std::set<std::string> out;
  if (schema_type.is_string()) out.insert(schema_type.get<std::string>());
  if (schema_type.is_array())
    for (const Json& t : schema_type) out.insert(t.get<std::string>());
  return out;
}

TEST(ToolSchemaTest, EveryToolAcceptsExactlyTheFieldsTheSchemaAccepts) {
  const Json defs = WorkflowSchema()["definitions"];
  for (const ToolSpec& tool : AllTools()) {
    SCOPED_TRACE("tool " + tool.name);
    ASSERT_TRUE(defs.contains("tool_" + tool.name)) << "the schema has no tool_" << tool.name;
    const Json& def = defs["tool_" + tool.name];
    std::set<std::string> in_schema, in_tool, required_in_schema, required_in_tool;
    for (const auto& [name, prop] : def["properties"].items())
      if (!kStepFields.count(name)) in_schema.insert(name);
    for (const Json& name : def.value("required", Json::array()))
      if (!kStepFields.count(name.get<std::string>()))
        required_in_schema.insert(name.get<std::string>());
    for (const FieldSpec& f : tool.fields) {
      in_tool.insert(f.name);
      if (f.required) required_in_tool.insert(f.name);
    }
    EXPECT_EQ(in_schema, in_tool);
    EXPECT_EQ(required_in_schema, required_in_tool);
    // A type the schema lets through must be one the tool reads, and the other way round.
    for (const FieldSpec& f : tool.fields) {
      if (!def["properties"].contains(f.name)) continue;
      const Json& prop = def["properties"][f.name];
      if (!prop.contains("type")) continue;  // any JSON value
      EXPECT_EQ(Types(prop["type"]), Types(f.type)) << "field " << f.name;
    }
  }
}

TEST(ToolSchemaTest, EveryToolTheSchemaNamesExistsOnTheAgent) {
  const Json schema = WorkflowSchema();
  std::set<std::string> named, agent;
  for (const Json& t : schema["definitions"]["step"]["properties"]["tool"]["enum"])
    if (!kSchemaOnly.count(t.get<std::string>())) named.insert(t.get<std::string>());
  for (const ToolSpec& tool : AllTools()) agent.insert(tool.name);
  EXPECT_EQ(named, agent);
}

}  // namespace
}  // namespace kraken::tools
