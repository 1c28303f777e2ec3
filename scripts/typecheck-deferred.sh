#!/usr/bin/env bash
# Checks the compile-time behaviour of the Deferred API: which `add…` overloads resolve, and which discarded
# results warn. Type-checks small snippets against the built TwisterDeferred module (run `swift build` first)
# and compares the diagnostics with what each snippet expects. Exit 0 when every snippet behaves as expected.
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
modules="${MODULES:-$root/.build/debug/Modules}"
if [ ! -f "$modules/TwisterDeferred.swiftmodule" ]; then echo "no $modules/TwisterDeferred.swiftmodule: run swift build" >&2; exit 2; fi
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
failures=0
q="'"
# check NAME EXPECT BODY: EXPECT is "clean" (no diagnostics) or a text the diagnostics must contain.
check() {
    local name="$1" expect="$2" body="$3"
    printf 'import TwisterDeferred\nfunc snippet() {\n%s\n}\n' "$body" > "$tmp/$name.swift"
    local out
    out="$(swiftc -swift-version 6 -typecheck -I "$modules" "$tmp/$name.swift" 2>&1)"
    if [ "$expect" = clean ]; then
        if [ -n "$out" ]; then echo "FAIL $name: expected no diagnostics, got:"; echo "$out"; failures=$((failures+1)); else echo "ok   $name"; fi
    else
        if grep -qF -- "$expect" <<<"$out"; then echo "ok   $name"; else echo "FAIL $name: expected '$expect', got:"; echo "$out"; failures=$((failures+1)); fi
    fi
}
check same_type_discarded clean '
    let d = Deferred<Int>()
    d.addCallback { $0 + 1 }
    d.addCallback { x in
        let y = x * 2
        return y
    }
    d.addErrback { _ in 0 }
    d.addBoth { r in (try? r.get()) ?? 0 }
    d.addCallbacks({ $0 }, { _ in 0 })
    d.addDeferredCallback { x in Deferred.succeed(x + 1) }
    d.addDeferredErrback { _ in Deferred.succeed(0) }'
check void_chain_discarded clean '
    let v = Deferred<Void>()
    v.addCallback { print("x") }
    v.addCallback { _ in
        print("a")
        print("b")
    }'
check type_changing_kept clean '
    let d = Deferred<Int>()
    let s = d.addCallback { "\($0)" }
    let n = d.addCallback { $0 + 1 }.addCallback { "\($0)" }.addCallback { $0.count }
    let t = d.addDeferredCallback { x in Deferred.succeed("\(x)") }
    _ = (s, n, t)'
check type_changing_discarded "result of call to ${q}addCallback${q} is unused" '
    let d = Deferred<Int>()
    d.addCallback { "\($0)" }'
check type_changing_multistatement_discarded "result of call to ${q}addCallback${q} is unused" '
    let d = Deferred<Int>()
    d.addCallback { x in
        let y = x * 2
        return "\(y)"
    }'
check type_changing_both_discarded "result of call to ${q}addBoth${q} is unused" '
    let d = Deferred<Int>()
    d.addBoth { r in print(r) }'
check deferred_from_addCallback "use ${q}addDeferredCallback${q} instead" '
    let d = Deferred<Int>()
    let e = d.addCallback { x in Deferred.succeed(x) }
    _ = e'
check deferred_from_addErrback "use ${q}addDeferredErrback${q} instead" '
    let d = Deferred<Int>()
    d.addErrback { _ in Deferred.succeed(0) }'
check deferred_from_addBoth "use ${q}addDeferredBoth${q} instead" '
    let d = Deferred<Int>()
    let e = d.addBoth { _ in Deferred.succeed(0) }
    _ = e'
check throwing_errback_not_ambiguous clean '
    let d = Deferred<Int>()
    d.addErrback { f in throw f }'
check maybeDeferred_needs_no_annotations clean '
    struct E: Error {}
    let a: Deferred<Int> = maybeDeferred { 1 }
    let b: Deferred<Int> = maybeDeferred { Deferred.succeed(1) }
    let c: Deferred<Int> = maybeDeferred { throw E() }
    let e: Deferred<Int> = maybeDeferred {
        let x = Deferred.succeed(2)
        return x
    }
    _ = (a, b, c, e)'
check no_global_succeed_or_fail clean '
    func fail(_ message: String) -> String { message }       // a test library'"'"'s fail: no collision
    func succeed() -> Bool { true }
    _ = fail("x")
    _ = succeed()
    let d: Deferred<Int> = .fail(CancelledError())
    d.addErrback { _ in 0 }'
[ "$failures" = 0 ] && echo "all snippets behave as expected" || echo "$failures snippet(s) failed"
[ "$failures" = 0 ]
