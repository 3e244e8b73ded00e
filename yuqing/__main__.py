import sys

from yuqing.cli import main

sys.exit(main())
