"""Alembic environment for the central platform: run with a connection from central.db."""

from alembic import context

from central.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
