"""The local stack: a throwaway PostgreSQL cluster, emulators and a server of generated taxi files.

Everything here runs on this machine only (127.0.0.1); the pipelines reach it through the same
settings they use for real services.
"""
