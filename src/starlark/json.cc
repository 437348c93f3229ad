// Conversions between Starlark values and JSON (declared in starlark.h).
#include <cmath>

#include "starlark/starlark.h"
#include "starlark/strings.h"
#include "starlark/thread.h"

namespace kraken::starlark {
namespace {

constexpr int kMaxJsonDepth = 500;

Value Convert(const nlohmann::json& json, const std::string* struct_name,
              const LenientFields* lenient, int depth) {
  if (depth > kMaxJsonDepth) throw EvalError("JSON value nested too deeply");
  switch (json.type()) {
    case nlohmann::json::value_t::null:
      return Value();
    case nlohmann::json::value_t::boolean:
      return Value::Bool(json.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value::Int(json.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = json.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) return Value::Float(static_cast<double>(u));
      return Value::Int(static_cast<int64_t>(u));
    }
    case nlohmann::json::value_t::number_float:
      return Value::Float(json.get<double>());
    case nlohmann::json::value_t::string:
      return Value::String(json.get<std::string>());
    case nlohmann::json::value_t::array: {
      std::vector<Value> items;
      items.reserve(json.size());
      for (const auto& item : json) items.push_back(Convert(item, struct_name, lenient, depth + 1));
      return MakeList(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      if (struct_name != nullptr) {
        std::vector<std::pair<std::string, Value>> fields;
        for (const auto& [key, item] : json.items()) {
          std::string child = *struct_name + "." + key;
          // Data that does not exist yet (null) reads as unknown in a lenient conversion.
          fields.emplace_back(key, lenient != nullptr && *lenient && item.is_null()
                                       ? MakeUnknown(child)
                                       : Convert(item, &child, lenient, depth + 1));
        }
        bool missing_unknown = lenient != nullptr && *lenient && (*lenient)(*struct_name);
        return Value(new StructObject(*struct_name, std::move(fields), missing_unknown));
      }
      Value dict = MakeDict();
      for (const auto& [key, item] : json.items()) {
        dict.as<DictObject>()->table.Insert(Value::String(key),
                                            Convert(item, nullptr, lenient, depth + 1));
      }
      return dict;
    }
    default:
      return Value();
  }
}

// What one JSON value costs beyond its strings: the json node, and for an
// object member the map node around it.
constexpr size_t kJsonValueBytes = sizeof(nlohmann::json);
constexpr size_t kJsonMemberBytes = 64;

// Values may share lists and dicts, so the JSON can be far larger than what
// the evaluation allocated: the conversion is charged to a budget of its own.
nlohmann::json ToJsonRec(Thread& thread, const Value& v, int depth) {
  if (depth > kMaxJsonDepth) throw EvalError("value nested too deeply to convert to JSON");
  thread.Step();
  thread.Charge(kJsonValueBytes);
  switch (v.type()) {
    case Type::kNone:
      return nullptr;
    case Type::kBool:
      return v.bool_value();
    case Type::kInt:
      return v.int_value();
    case Type::kFloat:
      if (!std::isfinite(v.float_value()))
        throw EvalError("cannot convert non-finite float to JSON");
      return v.float_value();
    case Type::kString:
      thread.Charge(v.str().size());
      return ValidUtf8(v.str());
    case Type::kList:
    case Type::kTuple: {
      nlohmann::json array(nlohmann::json::value_t::array);
      const auto& items =
          v.is(Type::kList) ? v.as<ListObject>()->items : v.as<TupleObject>()->items;
      auto* elements = array.get_ptr<nlohmann::json::array_t*>();
      elements->reserve(items.size());
      for (const Value& item : items) elements->push_back(ToJsonRec(thread, item, depth + 1));
      return array;
    }
    case Type::kDict: {
      nlohmann::json object(nlohmann::json::value_t::object);
      auto* members = object.get_ptr<nlohmann::json::object_t*>();
      for (const auto& e : v.as<DictObject>()->table.entries()) {
        if (e.key.IsUnbound()) continue;
        if (!e.key.is(Type::kString)) {
          throw EvalError("cannot convert dict with " + std::string(TypeName(e.key)) + " key " +
                          Repr(e.key) + " to JSON: keys must be strings");
        }
        thread.Charge(kJsonMemberBytes + e.key.str().size());
        // Dict keys are unique, and stay so as valid UTF-8 unless they differ only in invalid
        // bytes.
        members->insert_or_assign(ValidUtf8(e.key.str()), ToJsonRec(thread, e.value, depth + 1));
      }
      return object;
    }
    case Type::kStruct: {
      if (v.as<StructObject>()->unknown) return nullptr;
      nlohmann::json object = nlohmann::json::object();
      for (const auto& [name, field] : v.as<StructObject>()->fields) {
        thread.Charge(kJsonMemberBytes + name.size());
        object[ValidUtf8(name)] = ToJsonRec(thread, field, depth + 1);
      }
      return object;
    }
    default:
      throw EvalError("cannot convert " + std::string(TypeName(v)) + " to JSON");
  }
}

}  // namespace

Value FromJson(const nlohmann::json& json) {
  try {
    return Convert(json, nullptr, nullptr, 0);
  } catch (const EvalError&) {
    return Value();
  }
}

Value StructFromJson(std::string name, const nlohmann::json& json, const LenientFields& lenient) {
  try {
    return Convert(json, &name, &lenient, 0);
  } catch (const EvalError&) {
    return Value();
  }
}

tl::expected<nlohmann::json, Error> ToJson(const Value& value, const Options& options) {
  try {
    Thread thread(options);
    return ToJsonRec(thread, value, 0);
  } catch (const EvalError& e) {
    return tl::unexpected(e.ToError());
  }
}

}  // namespace kraken::starlark
