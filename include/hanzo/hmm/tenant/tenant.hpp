// hanzo-hmm tenant layer: include this for everything (namespace hanzo::hmm::tenant).
//   params.hpp   - AdapterParams, RegimeParams, TenantParams (defaults + validate())
//   regime.hpp   - the shared regime HMM and the per-tenant RegimeFilter
//   bitdelta.hpp - BaseWeights, QuantizedDelta (1-bit delta), BitDeltaAdapter (learning)
//   state.hpp    - TenantContext (shared), DormantTenant, ActiveTenant
//   snapshot.hpp - versioned snapshot bytes
#pragma once

#include "hanzo/hmm/tenant/bitdelta.hpp"
#include "hanzo/hmm/tenant/params.hpp"
#include "hanzo/hmm/tenant/regime.hpp"
#include "hanzo/hmm/tenant/snapshot.hpp"
#include "hanzo/hmm/tenant/state.hpp"
