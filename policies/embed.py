#!/usr/bin/env python3
"""Print lib/validate/policy_default.c: policies/default.json as a C string."""
import os
here = os.path.dirname(os.path.abspath(__file__))
src = open(os.path.join(here, 'default.json'), encoding='utf-8').read()
print('/* SPDX-License-Identifier: MulanPSL-2.0 */')
print('/* policy_default.c — the default policy embedded in the library, so that')
print(' * validation works uninstalled.  Keep it identical to policies/default.json')
print(' * (tests/check_validate.c compares them); regenerate with')
print(' *   python3 policies/embed.py > lib/validate/policy_default.c */')
print('#include "validate/rules.h"')
print()
print('const char townorg__default_policy_json[] =')
lines = src.splitlines(True)
for i, line in enumerate(lines):
    esc = line.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
    print('\t"' + esc + '"' + (';' if i == len(lines) - 1 else ''))
