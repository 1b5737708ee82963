import sys

from stratus.cli.main import main

sys.exit(main())
