"""A variable refers to a ConfigMap or Secret key that the ConfigMap or Secret does not hold.

## What it does
For Kubernetes manifests, checks every `env` item whose `valueFrom` names a key of a
ConfigMap (`configMapKeyRef`) or a Secret (`secretKeyRef`) against that ConfigMap or
Secret, when the files read define it. A key it lacks is reported, unless the
reference says `optional: true`. A ConfigMap or Secret that the files do not define at
all is taken as made elsewhere (an external or sealed secret), and is not reported.

## Why is this bad?
The kubelet refuses to start the container (`CreateContainerConfigError: couldn't find
key jwt-secret in Secret prod/auth`): the rollout stalls, or, for a key renamed in the
ConfigMap only, the next restart takes the service down.

## Example
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: backend-config}
data:
  REDIS_HOST: redis
---
# in the Deployment's container
env:
  - name: REDIS_HOST
    valueFrom:
      configMapKeyRef: {name: backend-config, key: redis-host}
```

## Use instead
```yaml
      configMapKeyRef: {name: backend-config, key: REDIS_HOST}
```
or add the key to the ConfigMap, or mark the reference `optional: true` if the
service copes without it.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem
from driftcheck.project import Project
from driftcheck.rules._common import file_issues

CODE = "DC103"
NAME = "reference-not-found"
SEVERITY = "error"
ISSUE_KIND = "dangling-reference"


def check(project: Project) -> Iterator[Problem]:
    for layer, _source, issue in file_issues(project, ISSUE_KIND):
        yield Problem(
            issue.detail,
            service=layer.service,
            environment=layer.environment,
            key=issue.key,
            origin=issue.origin,
            hint="add the key, fix the reference's key, or mark it optional: true",
        )
