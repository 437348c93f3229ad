// Conversions between Starlark values and JSON (declared in starlark.h).
#include <cmath>

#include "starlark/starlark.h"

namespace kraken::starlark {
namespace {

constexpr int kMaxJsonDepth = 500;

Value Convert(const nlohmann::json& json, const std::string* struct_name, int depth) {
  if (depth > kMaxJsonDepth) throw EvalError("JSON value nested too deeply");
  switch (json.type()) {
    case nlohmann::json::value_t::null: return Value();
    case nlohmann::json::value_t::boolean: return Value::Bool(json.get<bool>());
    case nlohmann::json::value_t::number_integer: return Value::Int(json.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = json.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) return Value::Float(static_cast<double>(u));
      return Value::Int(static_cast<int64_t>(u));
    }
    case nlohmann::json::value_t::number_float: return Value::Float(json.get<double>());
    case nlohmann::json::value_t::string: return Value::String(json.get<std::string>());
    case nlohmann::json::value_t::array: {
      std::vector<Value> items;
      items.reserve(json.size());
      for (const auto& item : json) items.push_back(Convert(item, struct_name, depth + 1));
      return MakeList(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      if (struct_name != nullptr) {
        std::vector<std::pair<std::string, Value>> fields;
        for (const auto& [key, item] : json.items()) {
          std::string child = *struct_name + "." + key;
          fields.emplace_back(key, Convert(item, &child, depth + 1));
        }
        return Value(new StructObject(*struct_name, std::move(fields)));
      }
      Value dict = MakeDict();
      for (const auto& [key, item] : json.items()) {
        dict.as<DictObject>()->table.Insert(Value::String(key), Convert(item, nullptr, depth + 1));
      }
      return dict;
    }
    default: return Value();
  }
}

nlohmann::json ToJsonRec(const Value& v, int depth) {
  if (depth > kMaxJsonDepth) throw EvalError("value nested too deeply to convert to JSON");
  switch (v.type()) {
    case Type::kNone: return nullptr;
    case Type::kBool: return v.bool_value();
    case Type::kInt: return v.int_value();
    case Type::kFloat:
      if (!std::isfinite(v.float_value())) throw EvalError("cannot convert non-finite float to JSON");
      return v.float_value();
    case Type::kString: return v.str();
    case Type::kList:
    case Type::kTuple: {
      nlohmann::json array = nlohmann::json::array();
      const auto& items = v.is(Type::kList) ? v.as<ListObject>()->items : v.as<TupleObject>()->items;
      for (const Value& item : items) array.push_back(ToJsonRec(item, depth + 1));
      return array;
    }
    case Type::kDict: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& e : v.as<DictObject>()->table.entries()) {
        if (e.key.IsUnbound()) continue;
        if (!e.key.is(Type::kString)) {
          throw EvalError("cannot convert dict with " + std::string(TypeName(e.key)) + " key " + Repr(e.key) +
                          " to JSON: keys must be strings");
        }
        object[e.key.str()] = ToJsonRec(e.value, depth + 1);
      }
      return object;
    }
    case Type::kStruct: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& [name, field] : v.as<StructObject>()->fields) object[name] = ToJsonRec(field, depth + 1);
      return object;
    }
    default: throw EvalError("cannot convert " + std::string(TypeName(v)) + " to JSON");
  }
}

}  // namespace

Value FromJson(const nlohmann::json& json) {
  try {
    return Convert(json, nullptr, 0);
  } catch (const EvalError&) {
    return Value();
  }
}

Value StructFromJson(std::string name, const nlohmann::json& json) {
  try {
    return Convert(json, &name, 0);
  } catch (const EvalError&) {
    return Value();
  }
}

tl::expected<nlohmann::json, Error> ToJson(const Value& value) {
  try {
    return ToJsonRec(value, 0);
  } catch (const EvalError& e) {
    return tl::unexpected(e.ToError());
  }
}

}  // namespace kraken::starlark
