"""Settings per environment: production refuses to start half-configured and passes `check --deploy`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def _manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    # when
    result = _manage("check", DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_ALLOWED_HOSTS="bo.example.id")
    # then
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage("check", DJANGO_SETTINGS_MODULE="config.settings.production",
                     DJANGO_SECRET_KEY=secrets.token_urlsafe(60))
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_production_check_deploy_prints_no_warning():
    # given a fully configured production environment
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="bo.example.id",
    )
    # then
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_local_settings_default_to_embedded_sqlite_and_filesystem_broker():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}
           and not k.startswith("DJANGO_")}
    code = ("from django.conf import settings;"
            "print(settings.DATABASES['default']['ENGINE']);"
            "print(settings.DATABASES['default']['NAME']);"
            "print(settings.CELERY_BROKER_URL);"
            "print(settings.TIME_ZONE, settings.LANGUAGE_CODE, settings.DEBUG)")
    result = subprocess.run(
        [sys.executable, "-c", f"import django;django.setup();{code}"], cwd=BASE_DIR, capture_output=True, text=True,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.local"}, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    engine, name, broker, rest = result.stdout.strip().splitlines()
    assert engine == "django.db.backends.sqlite3"
    assert name.endswith("var/db.sqlite3")
    assert broker == "filesystem://"
    assert rest == "Asia/Jakarta id True"


def test_broker_folders_are_created_for_a_fresh_checkout(tmp_path, settings):
    from config.celery_app import ensure_broker_folders

    # given folders that do not exist yet
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path / "broker" / "out"),
        "data_folder_out": str(tmp_path / "broker" / "out"),
        "processed_folder": str(tmp_path / "broker" / "processed"),
    }
    # when
    ensure_broker_folders()
    # then
    assert (tmp_path / "broker" / "out").is_dir()
    assert (tmp_path / "broker" / "processed").is_dir()


@pytest.mark.django_db
def test_roles_exist_with_their_permissions():
    from django.contrib.auth.models import Group

    agent = Group.objects.get(name="Agent")
    supervisor = Group.objects.get(name="Supervisor")
    agent_perms = set(agent.permissions.values_list("codename", flat=True))
    supervisor_perms = set(supervisor.permissions.values_list("codename", flat=True))
    assert {"add_block", "reveal_identity", "add_customer"} <= agent_perms
    assert "block_any_reason" not in agent_perms
    assert {"block_any_reason", "add_transferapproval", "change_parameter"} <= supervisor_perms
    assert "delete_auditevent" not in supervisor_perms


def test_unknown_api_path_answers_json_404(client):
    # when
    response = client.get("/api/v1/no-such-thing")
    # then
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
