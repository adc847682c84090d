from grassroots_tui.cli import main

raise SystemExit(main())
