#include "agent/tools/tool.h"

namespace kraken::tools {

const std::vector<ToolSpec>& AllTools() {
  static const std::vector<ToolSpec> tools = {
      ShellTool(),  GitTool(),    ArtifactsTool(),     CacheTool(), JunitCollectTool(),
      PytestTool(), GotestTool(), ValuesCollectTool(), DataTool(),  RndtestTool(),
      PylintTool(), ClocTool(),   NglintTool(),        LocalTool()};
  return tools;
}

const ToolSpec* FindTool(std::string_view name) {
  for (const ToolSpec& t : AllTools())
    if (t.name == name) return &t;
  return nullptr;
}

Json FieldsSchema(const ToolSpec& tool) {
  Json props = Json::object();
  Json required = Json::array();
  for (const FieldSpec& f : tool.fields) {
    Json p = {{"description", f.description}};
    if (f.type.find('|') != std::string::npos) {
      Json types = Json::array();
      size_t start = 0;
      while (true) {
        size_t bar = f.type.find('|', start);
        types.push_back(f.type.substr(start, bar - start));
        if (bar == std::string::npos) break;
        start = bar + 1;
      }
      p["type"] = types;
    } else {
      p["type"] = f.type;
    }
    if (!f.default_value.is_null()) p["default"] = f.default_value;
    props[f.name] = p;
    if (f.required) required.push_back(f.name);
  }
  return Json{{"type", "object"}, {"properties", props}, {"required", required}};
}

}  // namespace kraken::tools
