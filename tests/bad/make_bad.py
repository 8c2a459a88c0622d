#!/usr/bin/env python3
# SPDX-License-Identifier: MulanPSL-2.0
"""Regenerate the bad-input corpus tests/bad/ (run from anywhere).

Every file here is one malformed input for one loader; MANIFEST.tsv gives
its loader, the error code it must get and a fragment of the message, and
tests/check_bad_inputs.c checks all of them.  Folder-shaped inputs (CSV
table sets, NBS editions) are one file whose parts are separated by lines
"%%" (see fuzz/fuzz_util.h).  This script writes the files only; the
manifest is kept by hand."""
import json, os, sqlite3, shutil, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', 'data')


def out(rel, data):
    p = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    if isinstance(data, str):
        data = data.encode('utf-8')
    with open(p, 'wb') as f:
        f.write(data)


def bundle(folder, names):
    parts = []
    for n in names:
        p = os.path.join(folder, n)
        parts.append(open(p, 'rb').read() if os.path.exists(p) else b'')
    for i in range(len(parts) - 1):
        if parts[i] and not parts[i].endswith(b'\n'):
            parts[i] += b'\n'
    return b'%%\n'.join(parts)


# ---------------------------------------------------------------- snapshots
COUNTY = {"id": "341023", "kind": "county", "name": "黟县", "quotas": {"admin": 224, "inst": 169}}
TOWN = {"id": "341023-001", "kind": "town", "name": "碧阳镇", "parent_id": "341023", "class": "large"}
OFFICE = {"id": "341023-001-01", "kind": "office", "name": "碧阳镇党政办公室", "parent_id": "341023-001",
          "quotas": {"admin": 10}}


def snap(entities, **extra):
    d = {"format": "townorg/1", "type": "snapshot"}
    d.update(extra)
    d["entities"] = entities
    return json.dumps(d, ensure_ascii=False, indent=1)


def with_(e, **kw):
    e = dict(e)
    e.update(kw)
    return e


good = snap([COUNTY, TOWN, OFFICE])
out('json/snap-truncated.json', good[:len(good) // 2])
out('json/snap-empty.json', '')
out('json/snap-invalid-utf8.json', good.encode().replace('碧阳镇党政办公室'.encode(), b'\xe7\xa2\xff\xe9\x98\xb3'))
out('json/snap-gb18030.json', good.encode().replace('碧阳镇党政办公室'.encode(), '碧阳镇党政办公室'.encode('gb18030')))
out('json/snap-utf16.json', '\ufeff'.encode('utf-16-le') + good.encode('utf-16-le'))
out('json/snap-unknown-kind.json', snap([COUNTY, with_(TOWN, kind="twon"), OFFICE]))
out('json/snap-negative-quota.json', snap([COUNTY, TOWN, with_(OFFICE, quotas={"admin": -3})]))
out('json/snap-huge-number.json', snap([COUNTY, TOWN, OFFICE]).replace('"admin": 10', '"admin": 99999999999999999999999'))
out('json/snap-float-quota.json', snap([COUNTY, TOWN, with_(OFFICE, quotas={"admin": 2.5})]))
out('json/snap-wrong-type-name.json', snap([COUNTY, with_(TOWN, name=5), OFFICE]))
out('json/snap-entities-object.json', snap({"341023": COUNTY}))
out('json/snap-duplicate-id.json', snap([COUNTY, TOWN, OFFICE, with_(OFFICE, name="重复")]))
out('json/snap-dangling-parent.json', snap([COUNTY, TOWN, with_(OFFICE, parent_id="341023-009")]))
out('json/snap-self-parent.json', snap([with_(COUNTY, parent_id="341023"), TOWN, OFFICE]))
out('json/snap-cycle.json', snap([with_(COUNTY, parent_id="341023-001"), TOWN, OFFICE]))
out('json/snap-kind-placement.json', snap([COUNTY, TOWN, with_(OFFICE, parent_id="341023")]))
out('json/snap-wrong-format.json', snap([COUNTY]).replace('townorg/1', 'townorg/2'))
out('json/snap-not-object.json', '[1, 2, 3]\n')
out('json/snap-control-char.json', snap([COUNTY, with_(TOWN, name="碧阳\u0001镇"), OFFICE]))
out('json/snap-nul-char.json', snap([COUNTY, with_(TOWN, name="碧阳\u0000镇"), OFFICE]))
out('json/snap-deep-nesting.json', '{"format": "townorg/1", "type": "snapshot", "entities": ' + '[' * 5000 + ']' * 5000 + '}')
out('json/snap-area-precision.json', snap([COUNTY, with_(TOWN, area_km2=212.55), OFFICE]))
out('json/snap-empty-id.json', snap([COUNTY, with_(TOWN, id=""), OFFICE]))
out('json/snap-unknown-class.json', snap([COUNTY, with_(TOWN, **{"class": "huge"}), OFFICE]))
out('json/snap-state-hash.json', snap([COUNTY, TOWN, OFFICE], state_hash="0" * 64))
out('json/snap-duplicate-key.json', '{"format": "townorg/1", "type": "snapshot", "entities": [{"id": "341023", '
    '"kind": "county", "name": "黟县", "name": "黟县二"}]}\n')
out('json/snap-lone-surrogate.json', snap([COUNTY]).replace('黟县', '\\ud800黟县'))
out('json/snap-bad-date.json', snap([COUNTY], effective_date="2019-02-30"))

# ---------------------------------------------------------------- repository documents
repo = open(os.path.join(DATA, 'json', 'good', 'repo.json'), encoding='utf-8').read()
out('json/repo-truncated.json', repo[:len(repo) * 2 // 3])
doc = json.loads(repo)
v0 = doc['versions'][0]['id']
out('json/repo-tampered-id.json', repo.replace(v0, v0[:-1] + ('0' if v0[-1] != '0' else '1'), 1))
d2 = json.loads(repo)
d2['versions'][1]['parents'] = ['f' * 64]
out('json/repo-unknown-parent.json', json.dumps(d2, ensure_ascii=False, indent=1))
out('json/repo-foreign.json', json.dumps({"name": "left-pad", "version": "1.3.0", "dependencies": {}}, indent=2))
d3 = json.loads(repo)
d3['versions'] = "all of them"
out('json/repo-versions-string.json', json.dumps(d3, ensure_ascii=False))
d4 = json.loads(repo)
d4['branches'] = {"main": "0" * 64}
out('json/repo-branch-unknown.json', json.dumps(d4, ensure_ascii=False, indent=1))

# ---------------------------------------------------------------- entity objects
out('entity/unknown-member.json', json.dumps(with_(TOWN, mayor="张三"), ensure_ascii=False))
out('entity/missing-kind.json', json.dumps({"id": "341023", "name": "黟县"}, ensure_ascii=False))
out('entity/quota-string.json', json.dumps(with_(OFFICE, quotas={"admin": "十"}), ensure_ascii=False))
out('entity/trailing-garbage.json', json.dumps(COUNTY, ensure_ascii=False) + ' }')
out('entity/negative-staff.json', json.dumps(with_(OFFICE, actual_staff=-1), ensure_ascii=False))

# ---------------------------------------------------------------- CSV table sets
TABLES = ['versions.csv', 'base.csv', 'changes.csv', 'events.csv']
tdir = os.path.join(DATA, 'tables')
for name in sorted(os.listdir(tdir)):
    if name.startswith('bad-') and name != 'bad-missing-file':
        out('tables/%s.tables' % name[4:], bundle(os.path.join(tdir, name), TABLES))
mini = os.path.join(tdir, 'mini')
parts = [open(os.path.join(mini, n), 'rb').read() for n in TABLES]


def tables(versions=None, base=None, changes=None, events=None):
    p = list(parts)
    for i, x in enumerate((versions, base, changes, events)):
        if x is not None:
            p[i] = x.encode('utf-8') if isinstance(x, str) else x
    return b'%%\n'.join(p)


b = parts[1].decode()
out('tables/chinese-headers.tables', tables(base=b.replace(
    'id,parent_id,kind,name', '编号,上级编号,类型,名称', 1)))
out('tables/cycle.tables', tables(base=b.replace('341023,,county', '341023,341023-001,county', 1)))
out('tables/truncated-row.tables', tables(base=b[:b.index('\n', 200) - 10]))
out('tables/enormous-population.tables', tables(base=b.replace('40000', '9' * 40, 1)))
out('tables/json-as-csv.tables', tables(base=good))

# ---------------------------------------------------------------- NBS editions
NBS = ['provinces.csv', 'cities.csv', 'areas.csv', 'streets.csv']
for name in sorted(os.listdir(os.path.join(DATA, 'nbs', 'bad'))):
    folder = os.path.join(DATA, 'nbs', 'bad', name)
    year = sorted(os.listdir(folder))[-1]
    out('nbs/%s.nbs' % name, bundle(os.path.join(folder, year), NBS))
e19 = os.path.join(DATA, 'nbs', '2019')
nparts = [open(os.path.join(e19, n), 'rb').read() for n in NBS]
s = nparts[3].decode()
out('nbs/wrong-header.nbs', b'%%\n'.join(nparts[:3] + [s.replace('code,name,areaCode', 'id,title,area', 1).encode()]))
out('nbs/empty-streets.nbs', b'%%\n'.join(nparts[:3] + [b'']))
# (GB18030 NBS and MCA files are converted since issue 19: tests/check_realdata.c, gb18030)
out('nbs/negative-code.nbs', b'%%\n'.join(nparts[:3] + [s.replace('320804001,', '-20804001,', 1).encode()]))

# ---------------------------------------------------------------- MCA tables
for name in sorted(os.listdir(os.path.join(DATA, 'mca', 'bad'))):
    shutil.copy(os.path.join(DATA, 'mca', 'bad', name), os.path.join(HERE, 'mca', name))
m18 = open(os.path.join(DATA, 'mca', 'sub-county-diff_2018.csv'), encoding='utf-8').read()
out('mca/binary.csv', bytes(range(256)) * 4)
out('mca/unterminated-quote.csv', m18 + '99,"江苏省,320804001,长江路街道\n')

# ---------------------------------------------------------------- policies
for name in sorted(os.listdir(os.path.join(DATA, 'policies'))):
    if name.startswith('bad-'):
        shutil.copy(os.path.join(DATA, 'policies', name), os.path.join(HERE, 'policy', name[4:]))
POL = '{"format": "townorg-policy/1", "rules": {"leaders.by-class": {"params": {"limits": {"large": %s}}}}}\n'
out('policy/negative-limit.json', POL % '-5')
out('policy/huge-number.json', POL % '1e400')
out('policy/huge-integer.json', POL % '99999999999999999999')
out('policy/invalid-utf8.json', b'{"format": "townorg-policy/1", "title": "\xff\xfe bad"}\n')
out('policy/truncated.json', (POL % '9')[:60])

# ---------------------------------------------------------------- version names
for i, name in enumerate(['main~-1', 'main@2020-13-01', 'main~99999999999999999999', 'nosuch', '', 'main@',
                          'ab', 'main~1x', 'main@2020-02-30', 'plan@1999-01-01', 'main~50', 'v 1']):
    out('names/name-%02d.txt' % i, name)

# ---------------------------------------------------------------- document numbers
for i, num in enumerate(['2020年10号', '〔2020〕10号', '涞办字〔20〕10号', '涞办字〔2020〕号', '涞办字〔2020〕10']):
    out('docnum/doc-%02d.txt' % i, num)

# ---------------------------------------------------------------- store files
out('store/text.townorg', '这不是数据库 — not a database at all.\n' * 10)
out('store/empty.townorg', b'')
out('store/html.townorg', '<!DOCTYPE html><html><body>404</body></html>\n' * 5)
out('store/png.townorg', b'\x89PNG\r\n\x1a\n' + bytes(200))
out('store/sqlite-header-only.townorg', b'SQLite format 3\x00' + bytes(84))
out('store/json-repo.townorg', repo)
out('store/gzip.townorg', b'\x1f\x8b\x08\x00' + zlib.compress(repo.encode()))
p = os.path.join(HERE, 'store', 'other-schema.townorg')
if os.path.exists(p):
    os.remove(p)
db = sqlite3.connect(p)
db.executescript("CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT);"
                 "INSERT INTO customers VALUES (1, '张三');")
db.commit()
db.close()
