from careline.fakeplatform.cli import main

raise SystemExit(main())
