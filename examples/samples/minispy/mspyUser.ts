/**
 * mspyUser.c: minispy.exe's main thread. It connects to `\MiniSpyPort`, runs the switches on its
 * command line (/a <drive> attach, /d <drive> [<instance>] detach, /l list, /s screen output on or
 * off, /f [<file>] file output), starts the logging thread (mspyLog.ts), and then reads commands
 * from the console: [Enter] enters command mode, "go"/"g" leaves it, "exit" ends the program
 * (CleaningUp, then it waits for the logging thread's ShutDown).
 *
 * The process around the program (not fltsim routines): the console is a script of lines typed at
 * given ticks; ExitProcess, which fltsim cannot do to a thread (threads are not terminated), ends
 * the program's other threads at their next user-mode wait — Sleep, getchar, WaitForSingleObject —
 * which is where they all are whenever the logging thread can run. ListDevices reads the volumes
 * and instances from `sim.state()`, standing in for FilterVolumeFindFirst/FilterVolumeInstanceFindFirst,
 * which fltsim does not provide.
 */
import {
  CloseHandle,
  FAILED,
  hresultFromNtStatus,
  hresultName,
  INFINITE,
  SetEvent,
  SUCCEEDED,
  WaitForSingleObject,
  type Blocking,
  type EventHandle,
  type FilterPortHandle,
  type HRESULT,
  type PEPROCESS,
  type Simulation,
  type ThreadHandle,
} from '../../../src/index.js';
import { MINISPY_INSTANCES, MINISPY_NAME } from './minispy.js';
import { MINISPY_PORT_NAME } from './minispyUk.js';
import { mspyLog, type LOG_CONTEXT, type UserProcess } from './mspyLog.js';

const SUCCESS = 0;
const USAGE_ERROR = 1;
const EXIT_INTERPRETER = 2;
const EXIT_PROGRAM = 4;

/** A line the user types, at a tick of the virtual clock. */
export interface ConsoleLine {
  readonly at: number;
  readonly line: string;
}

/** Thrown through a thread of the program by ExitProcess; caught where the thread began. */
class ProcessExited {
  constructor(readonly uExitCode: number) {}
}

export interface MinispyUserProgram {
  readonly output: string[];
  /** The log file's lines, once /f opened one. */
  readonly files: string[][];
  /** Set by ExitProcess. */
  readonly exitCode: number | null;
  readonly logger: ThreadHandle | null;
  /** main(argc, argv); returns the exit code. */
  main(argv: readonly string[]): Blocking<number>;
}

export function minispyUser(sim: Simulation, process: PEPROCESS, console: readonly ConsoleLine[]): MinispyUserProgram {
  const output: string[] = [];
  const files: string[][] = [];
  const printf = (text: string): void => void output.push(text);
  // Every user-mode wait of the program also waits on `exiting` (a manual-reset event).
  const exiting = sim.CreateEventW(null, true, false, 'minispy.exe exiting');
  let exitCode: number | null = null;
  let logger: ThreadHandle | null = null;
  const exitWakes: EventHandle[] = [exiting];
  const exitHandles: FilterPortHandle[] = [];

  function* wait(h: EventHandle, ms: number): Blocking<void> {
    yield* WaitForSingleObject(h, ms);
    if (exitCode !== null) throw new ProcessExited(exitCode);
  }

  const proc: UserProcess = {
    printf,
    Sleep: (dwMilliseconds) => wait(exiting, dwMilliseconds),
    *ExitProcess(uExitCode): Blocking<never> {
      exitCode = uExitCode;
      // The process's handles close as it ends (the connection's: DisconnectNotify if still connected).
      for (const h of exitHandles.splice(0)) yield* CloseHandle(h);
      for (const h of exitWakes) SetEvent(h);
      throw new ProcessExited(uExitCode);
    },
  };
  const log = mspyLog(proc);

  // The console: characters of the scripted lines, each available from its tick.
  let typed = '';
  let next = 0;
  function* getchar(): Blocking<string> {
    while (typed.length === 0) {
      const line = console[next];
      if (line === undefined) {
        // Nobody types any more: wait until the process ends.
        yield* wait(exiting, INFINITE);
        continue;
      }
      if (sim.now < line.at) yield* wait(exiting, line.at - sim.now);
      typed = `${line.line}\n`;
      next++;
    }
    const ch = typed[0]!;
    typed = typed.slice(1);
    return ch;
  }

  function* main(argv: readonly string[]): Blocking<number> {
    try {
      return yield* mainBody(argv);
    } catch (e) {
      if (e instanceof ProcessExited) return e.uExitCode;
      throw e;
    }
  }

  function* mainBody(argv: readonly string[]): Blocking<number> {
    let context: LOG_CONTEXT | null = null;
    let thread: ThreadHandle | null = null;
    printf("Connecting to filter's port...");
    const connected = yield* sim.FilterConnectCommunicationPort(MINISPY_PORT_NAME, 0, null, 0, null);
    const hResult = connected.hr;
    if (FAILED(hResult)) {
      printf(`Could not connect to filter: 0x${(hResult >>> 0).toString(16).padStart(8, '0')}`);
      DisplayError(hResult);
      return 0;
    }
    const port = connected.hPort!;
    exitHandles.push(port);
    try {
      context = {
        Port: port,
        ShutDown: sim.CreateEventW(null, false, false, 'MiniSpy shut down'),
        CleaningUp: false,
        LogToFile: false,
        LogToScreen: false, // not before command mode is offered
        NextLogToScreen: true,
        OutputFile: null,
      };
      exitWakes.push(context.ShutDown);
      if (argv.length > 1 && (yield* InterpretCommand(argv.slice(1), context)) === USAGE_ERROR) return 0;

      printf('Creating logging thread...');
      const ctx = context;
      thread = sim.spawn('minispy log', function* () {
        try {
          return yield* log.RetrieveLogRecords(ctx);
        } catch (e) {
          if (e instanceof ProcessExited) return e.uExitCode;
          throw e;
        }
      }, { process });
      logger = thread;
      ListDevices();
      printf('Hit [Enter] to begin command mode...');
      context.LogToScreen = context.NextLogToScreen;

      Main_Cleanup: for (;;) {
        const inputChar = yield* getchar();
        if (inputChar !== '\n') continue;
        // Command mode: screen output pauses, and resumes as the commands left it.
        context.NextLogToScreen = context.LogToScreen;
        context.LogToScreen = false;
        let returnValue = SUCCESS;
        while (returnValue !== EXIT_INTERPRETER) {
          printf('>');
          let commandLine = '';
          for (let ch = yield* getchar(); ch !== '\n'; ch = yield* getchar()) commandLine += ch;
          const parms = commandLine.split(' ').filter((p) => p.length > 0);
          if (parms.length === 0) continue;
          returnValue = yield* InterpretCommand(parms, context);
          if (returnValue === EXIT_PROGRAM) break Main_Cleanup;
        }
        context.LogToScreen = context.NextLogToScreen;
        if (context.LogToScreen) printf('Should be logging to screen...');
      }

      printf('Cleaning up...');
      context.CleaningUp = true;
      yield* wait(context.ShutDown, INFINITE);
      return 0;
    } finally {
      // Main_Exit
      if (context !== null) context.OutputFile = null;
      if (exitHandles.includes(port)) {
        exitHandles.splice(exitHandles.indexOf(port), 1);
        yield* CloseHandle(port);
      }
    }
  }

  function* InterpretCommand(argv: readonly string[], Context: LOG_CONTEXT): Blocking<number> {
    let returnValue = SUCCESS;
    for (let parmIndex = 0; parmIndex < argv.length; parmIndex++) {
      let parm = argv[parmIndex]!;
      if (parm[0] === '/') {
        switch (parm[1]) {
          case 'a':
          case 'A': {
            if (++parmIndex >= argv.length) return Usage();
            parm = argv[parmIndex]!;
            const hResult = hresultFromNtStatus(yield* sim.FilterAttach(MINISPY_NAME, parm, null));
            if (SUCCEEDED(hResult)) {
              printf(`    Attaching to ${parm}...     Instance name: ${MINISPY_INSTANCES.DefaultInstance}`);
            } else {
              printf(`    Attaching to ${parm}... \n    Could not attach to device: 0x${(hResult >>> 0).toString(16).padStart(8, '0')}`);
              DisplayError(hResult);
              returnValue = SUCCESS;
            }
            break;
          }
          case 'd':
          case 'D': {
            if (++parmIndex >= argv.length) return Usage();
            parm = argv[parmIndex]!;
            printf(`    Detaching from ${parm}`);
            let instanceString: string | null = null;
            // An instance name may follow, unless the next word is another switch.
            if (++parmIndex < argv.length) {
              if (argv[parmIndex]![0] === '/') parmIndex--;
              else instanceString = argv[parmIndex]!;
            }
            const hResult = hresultFromNtStatus(yield* sim.FilterDetach(MINISPY_NAME, parm, instanceString));
            if (FAILED(hResult)) {
              printf(`    Could not detach from device: 0x${(hResult >>> 0).toString(16).padStart(8, '0')}`);
              DisplayError(hResult);
              returnValue = SUCCESS;
            }
            break;
          }
          case 'l':
          case 'L':
            ListDevices();
            break;
          case 's':
          case 'S':
            printf(Context.NextLogToScreen ? '    Turning off logging to screen' : '    Turning on logging to screen');
            Context.NextLogToScreen = !Context.NextLogToScreen;
            break;
          case 'f':
          case 'F':
            if (Context.LogToFile) {
              printf('    Stop logging to file ');
              Context.LogToFile = false;
              Context.OutputFile = null;
            } else {
              if (++parmIndex >= argv.length) return Usage();
              printf(`    Log to file ${argv[parmIndex]!}`);
              Context.OutputFile = [];
              files.push(Context.OutputFile);
              Context.LogToFile = true;
            }
            break;
          default:
            return Usage();
        }
      } else {
        const word = parm.toLowerCase();
        if (word === 'go' || word === 'g') return EXIT_INTERPRETER;
        if (word === 'exit') return EXIT_PROGRAM;
        return Usage();
      }
    }
    return returnValue;
  }

  function Usage(): number {
    printf('Valid switches: [/a <drive>] [/d <drive>] [/l] [/s] [/f [<file name>]]');
    return USAGE_ERROR;
  }

  /** FormatMessage's text is not modelled: the HRESULT's name. */
  function DisplayError(Code: HRESULT): void {
    printf(`    ${hresultName(Code)}`);
  }

  /** How many instances of MiniSpy are on the volume (FilterVolumeInstanceFindFirst/Next). */
  function IsAttachedToVolume(VolumeName: string): number {
    const state = sim.state();
    return Object.values(state.instances).filter((i) => state.volumes[i.volume]?.name === VolumeName && state.filters[i.filter]?.name.toLowerCase() === MINISPY_NAME.toLowerCase() && i.state !== 'Detached').length;
  }

  /** The volumes and whether minispy is attached to each (FilterVolumeFindFirst/Next, FilterGetDosName). */
  function ListDevices(): void {
    const volumes = Object.values(sim.state().volumes);
    if (volumes.length === 0) {
      printf('No volumes found.');
      return;
    }
    printf('Dos Name        Volume Name                            Status ');
    printf('--------------  ------------------------------------  --------');
    for (const volume of volumes) {
      const instanceCount = IsAttachedToVolume(volume.name);
      const row = `${(volume.dosName ?? '').padEnd(14)}  ${volume.name.padEnd(36)}  ${instanceCount > 0 ? 'Attached' : ''}`;
      printf(instanceCount > 1 ? `${row} (${instanceCount})` : row.trimEnd());
    }
  }

  return {
    output,
    files,
    get exitCode() {
      return exitCode;
    },
    get logger() {
      return logger;
    },
    main,
  };
}
