-- Argo CD health check for upgrades.brokerops.dev/BrokerUpgrade.
-- Argo CD runs it with the live object as `obj`; it returns the health and a message.
local hs = {}

local function condition(conditionType)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local function says(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return fallback
end

if obj.metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  hs.message = "being deleted; a running migration Job is left to finish first"
  return hs
end

if obj.status == nil or obj.status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "waiting for the operator to look at this BrokerUpgrade"
  return hs
end

if obj.metadata.generation ~= nil and obj.status.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "waiting for the operator to look at generation " .. obj.metadata.generation
  return hs
end

local phase = obj.status.phase
local ready = condition("Ready")
local progressing = condition("Progressing")
local degraded = condition("Degraded")

-- Failed, Blocked and RolledBack set Degraded=True; so does an API refusal or a failed
-- reconciliation during a run. RolledBack is Degraded too: the broker works, but it does not run
-- the version in git.
if (degraded ~= nil and degraded.status == "True")
    or phase == "Failed" or phase == "Blocked" or phase == "RolledBack" then
  hs.status = "Degraded"
  hs.message = says(degraded, "phase " .. tostring(phase))
  return hs
end

if phase == "Paused" then
  hs.status = "Suspended"
  hs.message = says(progressing, "spec.paused is true")
  return hs
end

if phase == "Running" or (progressing ~= nil and progressing.status == "True") then
  hs.status = "Progressing"
  hs.message = says(progressing, "a run is in flight")
  return hs
end

if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = says(ready, "ready")
  return hs
end

-- Not ready with nothing failed or blocked: the broker at the target but not fully available yet,
-- or a data migration about to run.
hs.status = "Progressing"
hs.message = says(ready, "not ready yet")
return hs
