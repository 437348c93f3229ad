#include "workflow/json_schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <regex>
#include <unordered_map>

namespace kraken::workflow {

enum TypeBit : uint8_t {
  kString = 1,
  kInteger = 2,
  kNumber = 4,
  kBoolean = 8,
  kObject = 16,
  kArray = 32,
  kNull = 64
};

struct JsonSchemaValidator::Node {
  uint8_t types = 0;  // 0: any
  std::vector<std::string> type_names;
  bool has_enum = false;
  std::vector<Json> enum_values;
  // The same, when every value is a string: compared without building JSON values.
  std::optional<std::vector<std::string>> enum_strings;
  std::optional<Json> const_value;
  std::optional<std::regex> pattern;
  std::optional<double> minimum;
  std::optional<size_t> min_length, min_items;
  std::map<std::string, const Node*, std::less<>> properties;
  std::vector<std::string> property_names;  // for "did you mean"
  std::vector<std::string> required, one_of_keys;
  bool closed = false;               // additionalProperties: false
  const Node* additional = nullptr;  // additionalProperties: {schema}
  const Node* items = nullptr;
  struct Branch {
    const Node* when = nullptr;  // `if`; none: `plain` always applies
    const Node* then = nullptr;
    const Node* otherwise = nullptr;
    const Node* plain = nullptr;
  };
  std::vector<Branch> all_of;
  // allOf made only of `if: {properties: {KEY: {const: V}}}, then: ...` branches (the tool
  // dispatch): the branch is picked by a map lookup instead of trying each `if`.
  std::string dispatch_key;
  std::unordered_map<std::string, const Node*> dispatch;
};

namespace {

using Node = JsonSchemaValidator::Node;

// A path built on the stack while descending; rendered only for an error.
struct PathPart {
  const PathPart* parent;
  const std::string* key;  // or an index
  size_t index;
};

std::string Render(const PathPart* p) {
  if (!p) return "";
  std::string head = Render(p->parent);
  if (p->key) return head.empty() ? *p->key : head + "." + *p->key;
  return head + "[" + std::to_string(p->index) + "]";
}

const char* TypeWord(const Json& v) {
  if (v.is_null()) return "None";
  if (v.is_boolean()) return "bool";
  if (v.is_number_integer()) return "int";
  if (v.is_number()) return "float";
  if (v.is_string()) return "string";
  if (v.is_array()) return "list";
  return "dict";
}

uint8_t BitOf(const std::string& type) {
  if (type == "string") return kString;
  if (type == "integer") return kInteger;
  if (type == "number") return kNumber | kInteger;
  if (type == "boolean") return kBoolean;
  if (type == "object") return kObject;
  if (type == "array") return kArray;
  if (type == "null") return kNull;
  return 0;
}

uint8_t BitOfValue(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string:
      return kString;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return kInteger;
    case Json::value_t::number_float:
      return kNumber;
    case Json::value_t::boolean:
      return kBoolean;
    case Json::value_t::object:
      return kObject;
    case Json::value_t::array:
      return kArray;
    default:
      return kNull;
  }
}

std::string TypeName(const std::string& type) {
  if (type == "string") return "a string";
  if (type == "integer") return "an int";
  if (type == "number") return "a number";
  if (type == "boolean") return "a bool";
  if (type == "object") return "a dict";
  if (type == "array") return "a list";
  return type;
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string Hint(const std::string& word, const std::vector<std::string>& candidates) {
  auto s = Suggest(word, candidates);
  return s ? fmt::format(" (did you mean \"{}\"?)", *s) : "";
}

class Compiler {
 public:
  Compiler(const Json& root, std::vector<std::unique_ptr<Node>>& nodes)
      : root_(root), nodes_(nodes) {}

  const Node* Compile(const Json& raw) {
    const Json* schema = &raw;
    std::string ref;
    if (auto r = raw.find("$ref"); r != raw.end()) {
      ref = r->get<std::string>();
      if (auto done = by_ref_.find(ref); done != by_ref_.end()) return done->second;
      schema = &root_.at(Json::json_pointer(ref.substr(1)));
    }
    nodes_.push_back(std::make_unique<Node>());
    Node* n = nodes_.back().get();
    if (!ref.empty()) by_ref_[ref] = n;  // before children: references may recurse
    const Json& s = *schema;
    if (auto t = s.find("type"); t != s.end()) {
      if (t->is_string())
        n->type_names.push_back(*t);
      else
        for (const auto& x : *t) n->type_names.push_back(x);
      for (const auto& name : n->type_names) n->types |= BitOf(name);
    }
    if (auto e = s.find("enum"); e != s.end()) {
      n->has_enum = true;
      for (const auto& v : *e) n->enum_values.push_back(v);
      if (std::all_of(e->begin(), e->end(), [](const Json& v) { return v.is_string(); }))
        n->enum_strings = std::vector<std::string>(e->begin(), e->end());
    }
    if (auto c = s.find("const"); c != s.end()) n->const_value = *c;
    if (auto p = s.find("pattern"); p != s.end()) n->pattern.emplace(p->get<std::string>());
    if (auto m = s.find("minimum"); m != s.end()) n->minimum = m->get<double>();
    if (auto m = s.find("minLength"); m != s.end()) n->min_length = m->get<size_t>();
    if (auto m = s.find("minItems"); m != s.end()) n->min_items = m->get<size_t>();
    if (auto props = s.find("properties"); props != s.end())
      for (auto it = props->begin(); it != props->end(); ++it) {
        n->properties.emplace(it.key(), Compile(it.value()));
        n->property_names.push_back(it.key());
      }
    if (auto req = s.find("required"); req != s.end())
      for (const auto& k : *req) n->required.push_back(k);
    if (auto one = s.find("x-requires-one-of"); one != s.end())
      for (const auto& k : *one) n->one_of_keys.push_back(k);
    if (auto add = s.find("additionalProperties"); add != s.end()) {
      if (add->is_boolean())
        n->closed = !add->get<bool>();
      else
        n->additional = Compile(*add);
    }
    if (auto items = s.find("items"); items != s.end()) n->items = Compile(*items);
    if (auto all = s.find("allOf"); all != s.end()) {
      bool dispatchable = !all->empty();
      for (const Json& sub : *all) {
        Node::Branch b;
        if (auto cond = sub.find("if"); cond != sub.end()) {
          b.when = Compile(*cond);
          if (auto t = sub.find("then"); t != sub.end()) b.then = Compile(*t);
          if (auto e = sub.find("else"); e != sub.end()) b.otherwise = Compile(*e);
          const Json* props = cond->contains("properties") ? &(*cond)["properties"] : nullptr;
          bool simple = props && props->size() == 1 && cond->size() == 1 && !b.otherwise &&
                        props->begin()->contains("const") && props->begin()->size() == 1 &&
                        (*props->begin())["const"].is_string() &&
                        (n->dispatch_key.empty() || n->dispatch_key == props->begin().key());
          if (simple) {
            n->dispatch_key = props->begin().key();
            n->dispatch[(*props->begin())["const"].get<std::string>()] = b.then;
          }
          dispatchable = dispatchable && simple;
        } else {
          b.plain = Compile(sub);
          dispatchable = false;
        }
        n->all_of.push_back(b);
      }
      if (!dispatchable) {
        n->dispatch_key.clear();
        n->dispatch.clear();
      }
    }
    return n;
  }

 private:
  const Json& root_;
  std::vector<std::unique_ptr<Node>>& nodes_;
  std::map<std::string, const Node*> by_ref_;
};

bool Check(const Node& n, const Json& value, const PathPart* path, SchemaError* error);

bool Fail(SchemaError* error, const PathPart* path, std::string message) {
  if (error) *error = SchemaError{Render(path), std::move(message), "", 0, 0, ""};
  return false;
}

bool Fail(SchemaError* error, const PathPart* path, const std::string& key, std::string message) {
  PathPart child{path, &key, 0};
  return Fail(error, &child, std::move(message));
}

bool CheckObject(const Node& n, const Json& value, const PathPart* path, SchemaError* error) {
  // Each key's schema is looked up once; objects are small, so the lookups fit on the stack.
  constexpr size_t kCached = 32;
  const Node* children[kCached];
  const bool cached = value.size() <= kCached;
  auto child_of = [&n](const std::string& key) -> std::pair<bool, const Node*> {
    auto p = n.properties.find(key);
    return p != n.properties.end() ? std::pair{true, p->second} : std::pair{false, n.additional};
  };
  // Unknown keys first: a misspelt key explains a "missing" one better than the reverse.
  size_t i = 0;
  for (auto it = value.begin(); it != value.end(); ++it, ++i) {
    if (!cached && !n.closed) break;
    auto [known, child] = child_of(it.key());
    if (!known && n.closed)
      return error ? Fail(error, path, it.key(), "unknown field" + Hint(it.key(), n.property_names))
                   : false;
    if (cached) children[i] = child;
  }
  for (const auto& key : n.required)
    if (!value.contains(key)) return Fail(error, path, key, "required field is missing");
  if (!n.one_of_keys.empty() &&
      std::none_of(n.one_of_keys.begin(), n.one_of_keys.end(),
                   [&](const std::string& k) { return value.contains(k); })) {
    std::string names;
    for (size_t i = 0; i < n.one_of_keys.size(); ++i) names += (i ? " or " : "") + n.one_of_keys[i];
    return Fail(error, path, n.one_of_keys[0], "needs " + names);
  }
  i = 0;
  for (auto it = value.begin(); it != value.end(); ++it, ++i) {
    const Node* child = cached ? children[i] : child_of(it.key()).second;
    if (!child) continue;
    PathPart part{path, &it.key(), 0};
    if (!Check(*child, it.value(), &part, error)) return false;
  }
  return true;
}

bool InEnum(const Node& n, const Json& value) {
  if (n.enum_strings) {
    if (!value.is_string()) return false;
    const auto& s = value.get_ref<const std::string&>();
    return std::find(n.enum_strings->begin(), n.enum_strings->end(), s) != n.enum_strings->end();
  }
  return std::find(n.enum_values.begin(), n.enum_values.end(), value) != n.enum_values.end();
}

bool Check(const Node& n, const Json& value, const PathPart* path, SchemaError* error) {
  if (n.types && !(n.types & BitOfValue(value))) {
    if (!error) return false;
    std::string want;
    for (size_t i = 0; i < n.type_names.size(); ++i)
      want += (i ? (i + 1 == n.type_names.size() ? " or " : ", ") : "") + TypeName(n.type_names[i]);
    return Fail(error, path, fmt::format("must be {}, not {}", want, TypeWord(value)));
  }
  if (n.const_value && value != *n.const_value)
    return error ? Fail(error, path, "must be " + n.const_value->dump()) : false;
  if (n.has_enum && !InEnum(n, value)) {
    if (!error) return false;
    std::vector<std::string> names;
    for (const auto& x : n.enum_values)
      names.push_back(x.is_string() ? x.get<std::string>() : x.dump());
    std::string list;
    for (size_t i = 0; i < names.size(); ++i) list += (i ? ", " : "") + names[i];
    std::string hint = value.is_string() ? Hint(value.get<std::string>(), names) : "";
    return Fail(error, path, fmt::format("must be one of {}{}", list, hint));
  }
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (n.pattern && !std::regex_search(s, *n.pattern))
      return Fail(error, path, "must be a whole number");
    if (n.min_length && s.size() < *n.min_length) return Fail(error, path, "must not be empty");
  } else if (value.is_number()) {
    if (n.minimum && value.get<double>() < *n.minimum)
      return Fail(error, path, fmt::format("must be at least {}", *n.minimum));
  } else if (value.is_array()) {
    if (n.min_items && value.size() < *n.min_items)
      return Fail(error, path, "must not be an empty list");
    if (n.items)
      for (size_t i = 0; i < value.size(); ++i) {
        PathPart part{path, nullptr, i};
        if (!Check(*n.items, value[i], &part, error)) return false;
      }
  } else if (value.is_object() && !CheckObject(n, value, path, error)) {
    return false;
  }
  if (!n.dispatch_key.empty()) {
    auto key = value.is_object() ? value.find(n.dispatch_key) : value.end();
    if (key != value.end() && key->is_string()) {
      auto branch = n.dispatch.find(key->get_ref<const std::string&>());
      if (branch != n.dispatch.end() && branch->second &&
          !Check(*branch->second, value, path, error))
        return false;
    }
    return true;
  }
  for (const auto& b : n.all_of) {
    if (b.plain) {
      if (!Check(*b.plain, value, path, error)) return false;
      continue;
    }
    const Node* next = Check(*b.when, value, path, nullptr) ? b.then : b.otherwise;
    if (next && !Check(*next, value, path, error)) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> Suggest(const std::string& word,
                                   const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

JsonSchemaValidator::JsonSchemaValidator(const Json& schema) {
  Compiler(schema, nodes_).Compile(schema);
}

JsonSchemaValidator::~JsonSchemaValidator() = default;

std::optional<SchemaError> JsonSchemaValidator::Validate(const Json& doc) const {
  SchemaError error;
  if (Check(*nodes_[0], doc, nullptr, &error)) return std::nullopt;
  return error;
}

const JsonSchemaValidator& WorkflowSchemaValidator() {
  static const JsonSchemaValidator validator(Json::parse(WorkflowSchemaText()));
  return validator;
}

}  // namespace kraken::workflow
