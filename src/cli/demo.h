// The demo project `kraken up` creates on first start: a branch with a build stage of a few
// shell jobs and a test stage that runs after it.
#pragma once

#include "store/store.h"

namespace kraken::cli {

// Creates project "demo" with branch "main" unless a project of that name exists.
Status CreateDemoProject(store::Store& store);

}  // namespace kraken::cli
