"""The local stack: a throwaway PostgreSQL cluster, emulators and a server of generated taxi files.

Everything here runs on this machine only (127.0.0.1); the pipelines reach it through the same
settings they use for real services.
"""

import warnings

# Google's clients warn at import about Python and grpc versions years ahead; nothing to act on here.
warnings.filterwarnings('ignore', category=FutureWarning, module=r'google\.')
