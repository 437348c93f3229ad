// Kraken CI's example stage schemas, verbatim (paraphrased in Kraken CI's documentation from
// its workflow-examples repository): the compatibility fixtures that tests save unchanged
// through the workflow module and the REST API. Constants only; thread-safe.
#pragma once

namespace kraken::workflow {

// A root stage with a parameter (parameters/one.py).
inline constexpr const char* kExampleParameters = R"(def stage(ctx):
    return {
        "parent": "root",
        "triggers": {"parent": True},
        "parameters": [{"name": "COUNT", "type": "string", "default": "10",
                        "description": "how many test cases to generate"}],
        "jobs": [{
            "name": "random tests",
            "timeout": 100000,
            "steps": [{"tool": "rndtest", "count": "#{COUNT}"}],
            "environments": [{"system": "any", "agents_group": "all", "config": "default"}]
        }]
    }
)";

// A child stage: artifacts hand-off and conditional steps (parent "upload").
inline constexpr const char* kExampleChildStage = R"(def stage(ctx):
    return {
        "parent": "upload",                 # name of the parent stage
        "triggers": {"parent": True},
        "flow_label": "bld-#{flow.seq.own}",
        "jobs": [{
            "name": "consume",
            "steps": [
                {"tool": "artifacts", "action": "download", "source": "abc"},
                {"tool": "shell", "cmd": "cat abc/a.txt"},
                {"tool": "shell", "cmd": "echo only-on-dev", "when": "is_dev"},
                {"tool": "shell", "cmd": "echo cleanup", "when": "always"},
                {"tool": "artifacts", "source": "abc/a.txt", "public": True}
            ],
            "environments": [{"system": "any", "agents_group": "all", "config": "default"}]
        }],
        "notification": {"email": "qa@example.com", "slack": {"channel": "ci"}}
    }
)";

// A dynamic fan-out over the flow's user data set by the parent stage (dynamic-schema):
// flow is None at save, so the schema reads data that only exists at run time.
inline constexpr const char* kExampleDynamicFanOut = R"(def stage(ctx):
    jobs = []
    for scope in (ctx.flow.data.tests or ['scope-default']):
        jobs.append({
            "name": "tests %s" % scope,
            "steps": [{"tool": "shell", "cmd": "echo run %s" % scope}],
            "environments": [{"executor": "docker",
                              "system": ctx.flow.data.systems or "ubuntu:20.04",  # list -> one job per image
                              "agents_group": "all", "config": "default"}]
        })
    return {"parent": "Prepare Testing", "triggers": {"parent": True}, "jobs": jobs}
)";

}  // namespace kraken::workflow
