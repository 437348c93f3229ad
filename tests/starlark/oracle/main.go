// Command oracle runs one Starlark file with the reference implementation
// (go.starlark.net) using the language spec's default dialect, and reports
// its print() output on stdout and any failure on stderr in the form
//
//	error LINE:COL: MESSAGE
//
// followed by the backtrace, so that the differential test can compare it
// with Kraken's interpreter.
package main

import (
	"fmt"
	"os"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: oracle FILE.star")
		os.Exit(2)
	}
	// The spec's defaults: floats on; no set, no top-level reassignment or
	// control flow, no recursion or while loops.
	resolve.AllowFloat = true
	resolve.AllowSet = false
	resolve.AllowGlobalReassign = false
	resolve.AllowRecursion = false

	filename := os.Args[1]
	thread := &starlark.Thread{
		Name:  "main",
		Print: func(_ *starlark.Thread, msg string) { fmt.Println(msg) },
	}
	_, err := starlark.ExecFile(thread, filename, nil, nil)
	if err == nil {
		return
	}
	switch e := err.(type) {
	case *starlark.EvalError:
		pos := syntax.Position{}
		for i := len(e.CallStack) - 1; i >= 0; i-- {
			if e.CallStack[i].Pos.Line != 0 {
				pos = e.CallStack[i].Pos
				break
			}
		}
		fmt.Fprintf(os.Stderr, "error %d:%d: %s\n%s\n", pos.Line, pos.Col, e.Msg, e.Backtrace())
	case syntax.Error:
		fmt.Fprintf(os.Stderr, "error %d:%d: %s\n", e.Pos.Line, e.Pos.Col, e.Msg)
	case resolve.ErrorList:
		fmt.Fprintf(os.Stderr, "error %d:%d: %s\n", e[0].Pos.Line, e[0].Pos.Col, e[0].Msg)
	default:
		fmt.Fprintf(os.Stderr, "error 0:0: %s\n", err)
	}
	os.Exit(1)
}
