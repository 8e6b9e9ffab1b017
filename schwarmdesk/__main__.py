from schwarmdesk.cli import main

raise SystemExit(main())
