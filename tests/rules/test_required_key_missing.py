"""required-key-missing (DC101): a required key no source sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Found, codes, found
from tests.rules.build import ENV_FILE, Place, app, project, reading

CODE = "DC101"
TOKEN = "keys.TOKEN = {}"
EVERYWHERE = {"dev": "TOKEN=a\n", "staging": "TOKEN=a\n", "prod": "TOKEN=a\n"}


def missing(tmp_path: Path, schema: str = TOKEN, **env_files: str) -> set[Place]:
    """What DC101 reports where TOKEN is set in every environment except as given."""
    return codes(app(tmp_path, schema, **{**EVERYWHERE, **env_files}), CODE)


def test_absent_from_one_environment_is_reported_at_its_file(tmp_path: Path) -> None:
    root = app(tmp_path, TOKEN, dev="TOKEN=a\n", staging="OTHER=1\n", prod="TOKEN=a\n")
    assert found(root, CODE) == {Found(CODE, "app", "staging", "TOKEN", "app/.env.staging")}


def test_required_by_default_when_the_schema_gives_no_default(tmp_path: Path) -> None:
    assert missing(tmp_path, prod="") == {(CODE, "app", "prod", "TOKEN")}


def test_required_in_named_environments_only(tmp_path: Path) -> None:
    schema = 'keys.TOKEN = {required = ["prod"]}'
    assert missing(tmp_path, schema, dev="", staging="", prod="") == {
        (CODE, "app", "prod", "TOKEN")
    }


def test_a_bare_key_without_equals_sign_is_not_set(tmp_path: Path) -> None:
    assert missing(tmp_path, prod="TOKEN\n") == {(CODE, "app", "prod", "TOKEN")}


def test_a_near_miss_is_still_missing(tmp_path: Path) -> None:
    assert missing(tmp_path, prod="TOKN=a\n") == {(CODE, "app", "prod", "TOKEN")}


@pytest.mark.parametrize(
    ("schema", "prod"),
    [
        pytest.param(TOKEN, "TOKEN=\n", id="empty value: required-key-empty reports it"),
        pytest.param(
            'keys.TOKEN = {deprecated_names = ["OLD_TOKEN"]}', "OLD_TOKEN=a\n", id="old name"
        ),
        pytest.param('keys.TOKEN = {default = "a"}', "", id="has a default"),
        pytest.param("keys.TOKEN = {required = false}", "", id="optional"),
        pytest.param('keys.TOKEN = {required = ["staging"]}', "", id="required elsewhere"),
        pytest.param('keys.TOKEN = {environments = ["dev", "staging"]}', "", id="scoped out"),
    ],
)
def test_not_missing(tmp_path: Path, schema: str, prod: str) -> None:
    assert missing(tmp_path, schema, prod=prod) == set()


def test_a_bare_key_in_a_later_source_keeps_the_earlier_value(tmp_path: Path) -> None:
    config = reading(ENV_FILE, '"{service}/.env.local"')
    files = {"app/.env.prod": "TOKEN=a\n", "app/.env.local": "TOKEN\n"}
    root = project(tmp_path, config, {"app": TOKEN}, files)
    assert (CODE, "app", "prod", "TOKEN") not in codes(root, CODE)


CLOUD_RUN = """
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: app}
spec:
  template:
    spec:
      containers:
        - env:
            - name: TOKEN
              valueFrom: {secretKeyRef: {name: token, key: latest}}
"""


def test_a_key_delivered_by_reference_is_set(tmp_path: Path) -> None:
    from tests.rules.build import deployed

    root = deployed(tmp_path, CLOUD_RUN, {"app": 'keys.TOKEN = {type = "secret"}'}, "cloudrun")
    assert codes(root) == set()


def test_a_key_with_neither_value_nor_reference_is_missing(tmp_path: Path) -> None:
    from tests.rules.build import deployed

    schema = 'keys.TOKEN = {type = "secret"}\nkeys.REGION = {}'
    root = deployed(tmp_path, CLOUD_RUN, {"app": schema}, "cloudrun")
    assert codes(root) == {("DC101", "app", "prod", "REGION")}
