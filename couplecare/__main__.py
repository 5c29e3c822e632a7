from couplecare.cli import main

raise SystemExit(main())
