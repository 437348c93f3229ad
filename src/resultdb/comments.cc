// Comments on failing tests: one open thread per (branch, test) that later results of the
// test inherit during analysis until a CI result of the test passes.
#include <fmt/format.h>

#include "resultdb/result_store.h"

namespace kraken::resultdb {

Result<Json> ResultStore::AddComment(Id result_id, const std::string& author,
                                     const std::string& text, int state, Millis now) {
  KR_ASSIGN(auto r, GetResult(result_id));
  KR_ASSIGN(auto open, db_.Exec("SELECT id, state FROM test_comments WHERE branch_id = ? AND "
                                "test_name = ? AND open = 1 ORDER BY id DESC LIMIT 1",
                                {r.branch_id, r.test_name}));
  Id comment_id = 0;
  bool was_root_caused = false;
  if (!open.rows.empty()) {
    comment_id = open.rows[0].Int(0);
    was_root_caused =
        results::IsRootCaused(static_cast<results::CommentState>(open.rows[0].Int(1)));
  } else {
    KR_ASSIGN(auto ins,
              db_.Exec("INSERT INTO test_comments (branch_id, test_name, state, open, created, "
                       "updated) VALUES (?,?,?,1,?,?) RETURNING id",
                       {r.branch_id, r.test_name, int64_t(state), now, now}));
    comment_id = ins.rows.at(0).Int(0);
  }
  KR_TRY(
      db_.Exec("INSERT INTO test_comment_entries (comment_id, author, text, state, created) "
               "VALUES (?,?,?,?,?)",
               {comment_id, author, text, int64_t(state), now}));
  KR_TRY(db_.Exec("UPDATE test_comments SET state = ?, updated = ? WHERE id = ?",
                  {int64_t(state), now, comment_id}));
  // Relevancy counts "not root-caused": results already on the thread move with its state,
  // and this result joins the thread with the new state.
  bool root_caused = results::IsRootCaused(static_cast<results::CommentState>(state));
  int delta = (root_caused ? 0 : 1) - (was_root_caused ? 0 : 1);
  if (delta != 0)
    KR_TRY(db_.Exec(
        "UPDATE test_results SET relevancy = relevancy + ? WHERE comment_id = ? AND analyzed = 1",
        {int64_t(delta), comment_id}));
  if (r.comment_id != comment_id && r.status != 1) {
    int own_delta = r.analyzed ? (root_caused ? 0 : 1) - 1 : 0;  // it counted "not root-caused"
    KR_TRY(
        db_.Exec("UPDATE test_results SET comment_id = ?, relevancy = relevancy + ? WHERE id = ?",
                 {comment_id, int64_t(own_delta), r.id}));
  }
  KR_ASSIGN(auto fresh, GetResult(result_id));
  return CommentOf(fresh);
}

Result<Json> ResultStore::CommentOf(const StoredResult& r) {
  // A passed result shows the thread it closed, if any; others the open one.
  std::string sql = "SELECT id, state, open, created, updated FROM test_comments WHERE ";
  sql += r.comment_id ? "id = ?" : "branch_id = ? AND test_name = ? AND open = 1";
  std::vector<store::Value> params;
  if (r.comment_id)
    params.emplace_back(std::in_place_type<int64_t>, *r.comment_id);
  else {
    params.emplace_back(std::in_place_type<int64_t>, r.branch_id);
    params.emplace_back(std::in_place_type<std::string>, r.test_name);
  }
  KR_ASSIGN(auto c, db_.Exec(sql, params));
  if (c.rows.empty()) return Json(nullptr);
  const auto& row = c.rows[0];
  KR_ASSIGN(auto entries,
            db_.Exec("SELECT id, author, text, state, created FROM test_comment_entries "
                     "WHERE comment_id = ? ORDER BY id",
                     {row.Int(0)}));
  Json list = Json::array();
  for (const auto& e : entries.rows)
    list.push_back(Json{{"id", e.Int(0)},
                        {"author", e.Text(1)},
                        {"text", e.Text(2)},
                        {"state", CommentStateName(static_cast<int>(e.Int(3)))},
                        {"created", e.Int(4)}});
  return Json{{"id", row.Int(0)},
              {"test", r.test_name},
              {"state", CommentStateName(static_cast<int>(row.Int(1)))},
              {"open", row.Int(2) != 0},
              {"created", row.Int(3)},
              {"updated", row.Int(4)},
              {"entries", list}};
}

}  // namespace kraken::resultdb
