/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * townorg.h — libtownorg, the organisation of China's townships as an
 * immutable versioned graph.  Include this umbrella header, or the module
 * headers under townorg/ one by one.
 */
#ifndef TOWNORG_H
#define TOWNORG_H

#include "townorg/common.h"
#include "townorg/entity.h"
#include "townorg/version.h"
#include "townorg/repository.h"
#include "townorg/transaction.h"
#include "townorg/validate.h"
#include "townorg/json.h"
#include "townorg/store.h"
#include "townorg/files.h"
#include "townorg/sign.h"
#include "townorg/diff.h"
#include "townorg/history.h"
#include "townorg/merge.h"
#include "townorg/tables.h"
#include "townorg/xlsx.h"

#include "townorg/realdata.h"

#endif /* TOWNORG_H */
